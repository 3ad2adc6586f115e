// From an embedding row to what OSS Vectors stores (key, float data, metadata), and the index and
// bucket the worker writes into, created when missing.
import { OssVectorsRequestError } from '../shared/clients/oss-vectors';
import type { IndexShape, MetadataValue, OssVectorsClient, VectorMetadata, VectorTextInput } from '../shared/clients/oss-vectors';
import type { IndexRow } from '../shared/ledger';
import type { EmbeddingRow } from './embeddingRows';

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function convert(value: unknown): MetadataValue | undefined {
  const single = scalar(value);
  if (single !== undefined) return single;
  if (Array.isArray(value)) {
    const items = value.map(scalar);
    if (items.every((item): item is string => item !== undefined)) return items;
  }
  if (value === null) return undefined;
  // OSS metadata values are strings or string arrays: anything nested travels as its JSON.
  return JSON.stringify(value);
}

/**
 * The metadata a vector carries: the document's metadata (numbers and booleans as strings, nested
 * values as JSON, nulls left out) plus `content_hash`, which verify compares. Size and key limits
 * are left to checkVector, so an oversized document becomes a recorded rejection.
 */
function toVectorMetadata(documentMetadata: Readonly<Record<string, unknown>>, contentHash: string): VectorMetadata {
  // No prototype: a document key such as `__proto__` stays an ordinary key (JSON.stringify sends it).
  const out = Object.create(null) as Record<string, MetadataValue>;
  for (const [name, value] of Object.entries(documentMetadata)) {
    if (name === 'content_hash') continue;
    const converted = convert(value);
    if (converted !== undefined) out[name] = converted;
  }
  out.content_hash = contentHash;
  return out;
}

/** The OSS vector of an embedding row: the document id as key, pgvector's text as the values, the metadata with the hash. */
export function toVectorInput(row: EmbeddingRow): VectorTextInput {
  return { key: row.document_id, dataText: row.embedding, metadata: toVectorMetadata(row.metadata, row.content_hash) };
}

/** The shape OSS Vectors checks vectors against. */
export function shapeOf(index: IndexRow): IndexShape {
  return { dimension: index.dimension, distanceMetric: index.metric };
}

const made = new Set<string>();

/** Creates the generation's index in OSS Vectors unless it exists (a 409 means it does). */
export async function ensureIndex(oss: OssVectorsClient, index: IndexRow): Promise<void> {
  const key = `${index.bucket}/${index.index_name}`;
  if (made.has(key)) return;
  try {
    await oss.putVectorIndex({ bucket: index.bucket, indexName: index.index_name, dimension: index.dimension, distanceMetric: index.metric });
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 409)) throw error;
  }
  made.add(key);
}

/** Creates the vector bucket unless it exists. */
export async function ensureBucket(oss: OssVectorsClient, bucket: string): Promise<void> {
  try {
    await oss.putVectorBucket(bucket);
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 409)) throw error;
  }
}
