// From an embedding row to what OSS Vectors stores (key, float data, metadata with the snippet),
// the hash of it that decides whether the index holds it already, and the index and bucket the
// worker writes into, created when missing.
import { createHash } from 'node:crypto';
import { OssVectorsRequestError } from '../shared/clients/oss-vectors';
import type { IndexShape, MetadataValue, OssVectorsClient, VectorMetadata, VectorTextInput } from '../shared/clients/oss-vectors';
import type { IndexRow } from '../shared/ledger';
import { rowKey } from './embeddingRows';
import type { EmbeddingRow } from './embeddingRows';
import { snippetOf } from './snippet';

/** Metadata keys the pipeline sets; a document key of the same name is left out. */
const RESERVED = new Set(['content_hash', 'snippet']);

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
 * values as JSON, nulls left out) plus `content_hash`, which verify compares, and `snippet` when
 * given. Size and key limits are left to checkVector, so an oversized document becomes a recorded
 * rejection, never a cut one.
 */
function toVectorMetadata(documentMetadata: Readonly<Record<string, unknown>>, contentHash: string, snippet: string): VectorMetadata {
  // No prototype: a document key such as `__proto__` stays an ordinary key (JSON.stringify sends it).
  const out = Object.create(null) as Record<string, MetadataValue>;
  for (const [name, value] of Object.entries(documentMetadata)) {
    if (RESERVED.has(name)) continue;
    const converted = convert(value);
    if (converted !== undefined) out[name] = converted;
  }
  out.content_hash = contentHash;
  if (snippet !== '') out.snippet = snippet;
  return out;
}

/** Whether a generation takes snippets: its OSS index was created with `snippet` non-filterable. */
export function takesSnippets(index: Pick<IndexRow, 'non_filterable_keys'>): boolean {
  return (index.non_filterable_keys ?? []).includes('snippet');
}

/**
 * The OSS vector of a passage row for a generation: the passage's key (the document id for the
 * first), pgvector's text as the values, the metadata with the document's content hash and (when
 * the generation takes them) a snippet of the passage of `snippetChars` characters.
 */
export function toVectorInput(row: EmbeddingRow, index: Pick<IndexRow, 'non_filterable_keys'>, snippetChars: number): VectorTextInput {
  const snippet = takesSnippets(index) && row.content_head !== null ? snippetOf(row.content_head, snippetChars) : '';
  return { key: rowKey(row), dataText: row.embedding, metadata: toVectorMetadata(row.metadata, row.content_hash, snippet) };
}

/** Metadata as canonical JSON (keys sorted): equal metadata, equal text. */
export function canonicalMetadata(metadata: VectorMetadata | undefined): string {
  const entries = Object.keys(metadata ?? {})
    .sort()
    .map((name) => [name, metadata?.[name]]);
  return JSON.stringify(entries);
}

/**
 * SHA-256 of what a vector sends: the model and the passage's text hash, which decide its values
 * (so the values themselves need not be hashed), and its metadata. The index holds the vector
 * already when this matches. A passage that is the whole content (no passage hash) hashes as
 * vectors did before documents had passages.
 */
export function vectorHash(input: VectorTextInput, model: string, passageHash: string | null = null): string {
  const hash = createHash('sha256').update(model).update('\n');
  if (passageHash !== null) hash.update(passageHash).update('\n');
  return hash.update(canonicalMetadata(input.metadata)).digest('hex');
}

/** The shape OSS Vectors checks vectors against. */
export function shapeOf(index: IndexRow): IndexShape {
  return { dimension: index.dimension, distanceMetric: index.metric, nonFilterableMetadataKeys: index.non_filterable_keys ?? [] };
}

const made = new Set<string>();

/** Creates the generation's index in OSS Vectors unless it exists (a 409 means it does), with its non-filterable keys. */
export async function ensureIndex(oss: OssVectorsClient, index: IndexRow): Promise<void> {
  const key = `${index.bucket}/${index.index_name}`;
  if (made.has(key)) return;
  try {
    await oss.putVectorIndex({ bucket: index.bucket, indexName: index.index_name, dimension: index.dimension, distanceMetric: index.metric, nonFilterableMetadataKeys: index.non_filterable_keys ?? [] });
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
