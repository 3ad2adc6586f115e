import type { EmulatorResponse } from '../http';
import { OssVectorsApiError } from './errors';
import { bucketOf, DeleteVectorsBodySchema, GetVectorsBodySchema, ListVectorsBodySchema, parseBody, PutVectorsBodySchema, QueryVectorsBodySchema } from './request';
import type { PutVectorsBody } from './request';
import { checkFilter, compileFilter } from './search';
import type { OpenIndex } from './VectorStore';
import type { EmulatorLimits, IndexSettings, OperationContext, PackedBatch, StoredMetadata } from './types';

function indexOf(context: OperationContext, indexName: string): OpenIndex {
  return context.store.index(bucketOf(context), indexName);
}

function withMetadata(metadata: StoredMetadata | undefined, wanted: boolean | undefined): object {
  return wanted === true ? { metadata: metadata ?? {} } : {};
}

function refuse(message: string): never {
  throw new OssVectorsApiError('InvalidArgument', message);
}

/**
 * Checks a PutVectors batch the way OSS does (one bad vector fails the whole request) and packs the
 * values into one Float32Array: batch size, unique keys, key bytes, dimension, finite numbers, no
 * all-zero vector on cosine, metadata keys and sizes.
 */
function packVectors(body: PutVectorsBody, settings: IndexSettings, limits: EmulatorLimits): PackedBatch {
  const { vectors } = body;
  const dim = settings.dimension;
  if (vectors.length < 1 || vectors.length > limits.maxVectorsPerPut) refuse(`a PutVectors batch holds 1..${limits.maxVectorsPerPut} vectors; got ${vectors.length}`);
  const nonFilterable = new Set(settings.nonFilterableMetadataKeys);
  const data = new Float32Array(vectors.length * dim);
  const seen = new Set<string>();
  vectors.forEach((vector, row) => {
    if (seen.has(vector.key)) refuse(`duplicate key ${vector.key} in one batch`);
    seen.add(vector.key);
    const keyBytes = Buffer.byteLength(vector.key);
    if (keyBytes < 1 || keyBytes > limits.maxKeyBytes) refuse(`key is ${keyBytes} bytes; it must be 1..${limits.maxKeyBytes}`);
    const values = vector.data.float32;
    if (values.length !== dim) refuse(`vector ${vector.key} has ${values.length} values; the index dimension is ${dim}`);
    let zero = true;
    for (let i = 0; i < dim; i += 1) {
      const value = values[i];
      // The index stores float32: a value is checked as it would be stored (1e39 -> Infinity, 1e-46 -> 0).
      if (typeof value !== 'number' || !Number.isFinite(Math.fround(value))) refuse(`vector ${vector.key} has a value that is not a finite number at ${i}`);
      if (Math.fround(value) !== 0) zero = false;
      data[row * dim + i] = value;
    }
    if (zero && settings.distanceMetric === 'cosine') refuse(`vector ${vector.key} is all zeros, which a cosine index cannot take`);
    const metadata = vector.metadata;
    if (metadata === undefined) return;
    const names = Object.keys(metadata);
    if (names.length > limits.maxMetadataKeys) refuse(`vector ${vector.key} has ${names.length} metadata keys; at most ${limits.maxMetadataKeys}`);
    const bytes = Buffer.byteLength(JSON.stringify(metadata));
    if (bytes > limits.maxMetadataBytes) refuse(`metadata of ${vector.key} is ${bytes} bytes; at most ${limits.maxMetadataBytes}`);
    const filterable = Object.fromEntries(Object.entries(metadata).filter(([name]) => !nonFilterable.has(name)));
    const filterableBytes = Buffer.byteLength(JSON.stringify(filterable));
    if (filterableBytes > limits.maxFilterableMetadataBytes) refuse(`filterable metadata of ${vector.key} is ${filterableBytes} bytes; at most ${limits.maxFilterableMetadataBytes}`);
  });
  return { keys: vectors.map((vector) => vector.key), data, metadata: vectors.map((vector) => vector.metadata) };
}

interface Cursor {
  readonly slot: number;
  readonly segmentCount: number;
  readonly segmentIndex: number;
}

function readToken(token: string, segmentCount: number, segmentIndex: number): number {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(cursor.slot) && cursor.segmentCount === segmentCount && cursor.segmentIndex === segmentIndex) return cursor.slot;
  } catch {
    // Falls through to the refusal below.
  }
  throw new OssVectorsApiError('InvalidArgument', 'nextToken is not a token of this listing');
}

/** Vector calls: PutVectors, GetVectors, ListVectors, DeleteVectors, QueryVectors. */
export const vectorOperations = {
  PutVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(PutVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    const rows = packVectors(body, index.settings, context.limits);
    context.writeQuota.admit(bucketOf(context), body.indexName, body.vectors.length);
    context.store.put(index, rows, context.now + context.searchableDelayMs);
    return { status: 200 };
  },

  GetVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(GetVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    if (body.keys.length < 1 || body.keys.length > context.limits.maxGetKeys) throw new OssVectorsApiError('InvalidArgument', `GetVectors takes 1..${context.limits.maxGetKeys} keys`);
    const vectors = body.keys.flatMap((key) => {
      const row = index.data.get(key);
      if (!row) return [];
      return [{ key, ...(body.returnData === true ? { data: { float32: Array.from(row.data) } } : {}), ...withMetadata(row.metadata, body.returnMetadata) }];
    });
    return { status: 200, body: { vectors } };
  },

  /**
   * One ListVectors page: rows in storage order, split into segments by a hash of the key, at most
   * `maxResults` vectors and about 1 MB of JSON per page. The token records where the page stopped.
   */
  ListVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(ListVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    const { limits } = context;
    const maxResults = body.maxResults ?? limits.defaultListResults;
    const segmentCount = body.segmentCount ?? 1;
    const segmentIndex = body.segmentIndex ?? 0;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limits.maxListResults) throw new OssVectorsApiError('InvalidArgument', `maxResults must be 1..${limits.maxListResults}`);
    if (!Number.isInteger(segmentCount) || segmentCount < 1 || segmentCount > limits.maxSegments) throw new OssVectorsApiError('InvalidArgument', `segmentCount must be 1..${limits.maxSegments}`);
    if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex >= segmentCount) throw new OssVectorsApiError('InvalidArgument', 'segmentIndex must be 0..segmentCount-1');
    const start = body.nextToken ? readToken(body.nextToken, segmentCount, segmentIndex) : 0;
    const vectors: object[] = [];
    let bytes = 0;
    const stoppedAt = index.data.scan(start, segmentCount, segmentIndex, (slot) => {
      if (vectors.length >= maxResults) return false;
      const row = index.data.at(slot);
      if (!row) return true;
      const item = {
        key: row.key,
        ...(body.returnData === true ? { data: { float32: Array.from(row.data) } } : {}),
        ...withMetadata(row.metadata, body.returnMetadata),
      };
      const size = body.returnData === true || body.returnMetadata === true ? Buffer.byteLength(JSON.stringify(item)) : Buffer.byteLength(row.key) + 12;
      if (vectors.length > 0 && bytes + size > limits.maxListPageBytes) return false;
      vectors.push(item);
      bytes += size;
      return true;
    });
    const nextToken = stoppedAt === undefined ? undefined : Buffer.from(JSON.stringify({ slot: stoppedAt, segmentCount, segmentIndex })).toString('base64url');
    return { status: 200, body: { vectors, ...(nextToken ? { nextToken } : {}) } };
  },

  DeleteVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(DeleteVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    if (body.keys.length < 1 || body.keys.length > context.limits.maxDeleteKeys) throw new OssVectorsApiError('InvalidArgument', `DeleteVectors takes 1..${context.limits.maxDeleteKeys} keys`);
    if (new Set(body.keys).size !== body.keys.length) throw new OssVectorsApiError('InvalidArgument', 'DeleteVectors keys must be unique');
    context.writeQuota.admit(bucketOf(context), body.indexName, body.keys.length);
    context.store.remove(index, body.keys);
    return { status: 204 };
  },

  QueryVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(QueryVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    const { dimension, nonFilterableMetadataKeys } = index.settings;
    if (!Number.isInteger(body.topK) || body.topK < 1 || body.topK > context.limits.maxTopK) throw new OssVectorsApiError('InvalidArgument', `topK must be 1..${context.limits.maxTopK}`);
    const values = body.queryVector.float32;
    if (values.length !== dimension) throw new OssVectorsApiError('InvalidArgument', `queryVector has ${values.length} values; the index dimension is ${dimension}`);
    if (!values.every((value) => typeof value === 'number' && Number.isFinite(Math.fround(value)))) throw new OssVectorsApiError('InvalidArgument', 'queryVector holds a value that is not a finite number');
    let predicate;
    if (body.filter !== undefined) {
      const nonFilterable = new Set(nonFilterableMetadataKeys);
      checkFilter(body.filter, (key) => !nonFilterable.has(key), context.limits);
      predicate = compileFilter(body.filter);
    }
    const hits = index.data.search(Float32Array.from(values as number[]), body.topK, context.now, predicate);
    const vectors = hits.map((hit) => {
      const row = index.data.at(hit.slot);
      return { key: row?.key ?? '', ...(body.returnDistance === true ? { distance: hit.distance } : {}), ...withMetadata(row?.metadata, body.returnMetadata) };
    });
    return { status: 200, body: { vectors } };
  },
} as const;
