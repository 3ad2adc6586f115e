import type * as z from 'zod';
import { checkBatchKeys, checkQuery } from './checks';
import { ValidationReasons } from './constants';
import { OssVectorsConfigError, OssVectorsResponseError, OssVectorsValidationError } from './errors';
import type { WriteRates, WriteStats } from './IndexWriteBucket';
import { OssVectorsClientOptionsSchema } from './options';
import type { OssVectorsClientConfig, OssVectorsClientOptions } from './options';
import { OssVectorsTransport } from './OssVectorsTransport';
import { prepareVector, putVectorsBody } from './prepared';
import type { PreparedVector, VectorTextInput } from './prepared';
import type { TransportCall, TransportHooks } from './OssVectorsTransport';
import {
  GetVectorBucketResponseSchema,
  GetVectorIndexResponseSchema,
  ListVectorBucketsResponseSchema,
  ListVectorIndexesResponseSchema,
  VectorsResponseSchema,
} from './types';
import type { DistanceMetric, IndexRef, IndexShape, OssVectorsOperation, VectorBucket, VectorFilter, VectorIndex, VectorInput, VectorOutput } from './types';

/** A page of vectors with the token of the next page, if any. */
export interface VectorPage {
  readonly vectors: VectorOutput[];
  readonly nextToken: string | undefined;
}

/** ListVectors input; `segmentCount`/`segmentIndex` split the scan for parallel readers. */
export interface ListVectorsInput extends IndexRef {
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly returnData?: boolean;
  readonly returnMetadata?: boolean;
  readonly segmentCount?: number;
  readonly segmentIndex?: number;
}

/** QueryVectors input; both return flags are always sent explicitly. */
export interface QueryVectorsInput extends IndexRef {
  readonly queryVector: readonly number[] | Float32Array;
  readonly topK: number;
  readonly filter?: VectorFilter;
  readonly returnDistance?: boolean;
  readonly returnMetadata?: boolean;
  /** The index's shape, when the caller knows it (saves a GetVectorIndex). */
  readonly index?: IndexShape;
}

/**
 * A client for OSS Vectors (no Node SDK exists): checks input, signs with V4, retries, and keeps
 * each index's write quota (PutVectors and DeleteVectors together, in calls and in vectors).
 */
export class OssVectorsClient {
  readonly config: OssVectorsClientConfig;
  private readonly transport: OssVectorsTransport;
  private readonly shapes = new Map<string, IndexShape>();

  constructor(options: OssVectorsClientOptions, hooks: TransportHooks = {}) {
    const parsed = OssVectorsClientOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ');
      throw new OssVectorsConfigError(`OSS Vectors client settings are invalid: ${detail}`, { cause: parsed.error });
    }
    this.config = parsed.data;
    this.transport = new OssVectorsTransport(this.config, hooks);
  }

  /** Creates a vector bucket. */
  async putVectorBucket(bucket: string): Promise<void> {
    await this.transport.call('PutVectorBucket', { method: 'PUT', bucket, query: '' });
  }

  /** Describes a vector bucket. */
  async getVectorBucket(bucket: string): Promise<VectorBucket> {
    return (await this.json('GetVectorBucket', { method: 'GET', bucket, query: 'bucketInfo' }, GetVectorBucketResponseSchema)).BucketInfo;
  }

  /** Lists the account's vector buckets in the region, one page at a time. */
  async listVectorBuckets(input: { prefix?: string; marker?: string; maxKeys?: number } = {}): Promise<{ buckets: VectorBucket[]; nextMarker: string | undefined }> {
    const params = new URLSearchParams();
    if (input.marker !== undefined) params.set('marker', input.marker);
    if (input.maxKeys !== undefined) params.set('max-keys', String(input.maxKeys));
    if (input.prefix !== undefined) params.set('prefix', input.prefix);
    // URLSearchParams writes spaces as '+', which V4 canonicalisation does not accept.
    const query = params.toString().replace(/\+/gu, '%20');
    const result = (await this.json('ListVectorBuckets', { method: 'GET', query }, ListVectorBucketsResponseSchema)).ListAllMyBucketsResult;
    return { buckets: result.Buckets ?? [], nextMarker: result.IsTruncated === true ? result.NextMarker : undefined };
  }

  /** Deletes an empty vector bucket. */
  async deleteVectorBucket(bucket: string): Promise<void> {
    await this.transport.call('DeleteVectorBucket', { method: 'DELETE', bucket, query: '' });
  }

  /** Creates an index; its settings cannot change afterwards. */
  async putVectorIndex(input: IndexRef & { dimension: number; distanceMetric: DistanceMetric; nonFilterableMetadataKeys?: readonly string[] }): Promise<void> {
    const metadata = input.nonFilterableMetadataKeys?.length ? { metadata: { nonFilterableMetadataKeys: input.nonFilterableMetadataKeys } } : {};
    const body = { indexName: input.indexName, dataType: 'float32', dimension: input.dimension, distanceMetric: input.distanceMetric, ...metadata };
    await this.transport.call('PutVectorIndex', { method: 'POST', bucket: input.bucket, query: 'putVectorIndex', body });
  }

  /** Describes an index. */
  async getVectorIndex(input: IndexRef): Promise<VectorIndex> {
    const call: TransportCall = { method: 'POST', bucket: input.bucket, query: 'getVectorIndex', body: { indexName: input.indexName } };
    return (await this.json('GetVectorIndex', call, GetVectorIndexResponseSchema)).index;
  }

  /** Lists a bucket's indexes, one page at a time. */
  async listVectorIndexes(input: { bucket: string; prefix?: string; maxResults?: number; nextToken?: string }): Promise<{ indexes: VectorIndex[]; nextToken: string | undefined }> {
    const { bucket, ...body } = input;
    const result = await this.json('ListVectorIndexes', { method: 'POST', bucket, query: 'listVectorIndexes', body }, ListVectorIndexesResponseSchema);
    return { indexes: result.indexes, nextToken: result.nextToken || undefined };
  }

  /** Deletes an index and every vector in it. */
  async deleteVectorIndex(input: IndexRef): Promise<void> {
    this.shapes.delete(`${input.bucket}/${input.indexName}`);
    await this.transport.call('DeleteVectorIndex', { method: 'POST', bucket: input.bucket, query: 'deleteVectorIndex', body: { indexName: input.indexName } });
  }

  /**
   * Write rates per index from now on (the client starts at `indexWriteQps` and
   * `indexWriteVectorsPerSecond`). A writer that shares its index's quota with others sets its
   * share here while it writes.
   */
  setWriteRates(rates: WriteRates): void {
    this.transport.setWriteRates(rates);
  }

  /** The write rates per index in force. */
  get writeRates(): WriteRates {
    return this.transport.writeRates;
  }

  /** PutVectors and DeleteVectors calls sent so far (retries included) and how many were answered 429. */
  get writeStats(): WriteStats {
    return this.transport.writeStats;
  }

  /**
   * Checks a vector against an index shape and this client's limits, and serialises it once for
   * `putPreparedVectors`; returns the refusal instead of throwing.
   */
  prepareVector(vector: VectorInput | VectorTextInput, index: IndexShape): PreparedVector | OssVectorsValidationError {
    return prepareVector(vector, index, this.config.limits);
  }

  /** Upserts up to 500 vectors after checking each against the index and the limits. */
  async putVectors(input: IndexRef & { vectors: readonly VectorInput[]; index?: IndexShape }): Promise<void> {
    checkBatchKeys('PutVectors', input.vectors.map((vector) => vector.key), this.config.limits.maxVectorsPerPut);
    const shape = input.index ?? (await this.shapeOf(input));
    const prepared = input.vectors.map((vector) => {
      const result = prepareVector(vector, shape, this.config.limits);
      if (result instanceof OssVectorsValidationError) throw result;
      return result;
    });
    await this.putPreparedVectors({ bucket: input.bucket, indexName: input.indexName, vectors: prepared });
  }

  /** Upserts up to 500 vectors checked by `prepareVector`, sent as they were serialised then. */
  async putPreparedVectors(input: IndexRef & { vectors: readonly PreparedVector[] }): Promise<void> {
    checkBatchKeys('PutVectors', input.vectors.map((vector) => vector.key), this.config.limits.maxVectorsPerPut);
    const rawBody = putVectorsBody(input.indexName, input.vectors);
    await this.transport.call('PutVectors', { method: 'POST', bucket: input.bucket, query: 'putVectors', rawBody, write: { indexName: input.indexName, vectors: input.vectors.length } });
  }

  /** Reads vectors by key (1..100 keys); unknown keys are silently left out. */
  async getVectors(input: IndexRef & { keys: readonly string[]; returnData?: boolean; returnMetadata?: boolean }): Promise<VectorOutput[]> {
    this.checkKeyCount(input.keys, this.config.limits.maxGetKeys);
    const body = { indexName: input.indexName, keys: input.keys, returnData: input.returnData ?? false, returnMetadata: input.returnMetadata ?? false };
    return (await this.json('GetVectors', { method: 'POST', bucket: input.bucket, query: 'getVectors', body }, VectorsResponseSchema)).vectors;
  }

  /** One page of ListVectors; see `scanVectors` for a full parallel scan. */
  async listVectors(input: ListVectorsInput): Promise<VectorPage> {
    const { bucket, ...rest } = input;
    const body = { ...rest, returnData: rest.returnData ?? false, returnMetadata: rest.returnMetadata ?? false };
    const result = await this.json('ListVectors', { method: 'POST', bucket, query: 'listVectors', body }, VectorsResponseSchema);
    return { vectors: result.vectors, nextToken: result.nextToken || undefined };
  }

  /** Deletes vectors by key (1..500 unique keys); unknown keys are no error. */
  async deleteVectors(input: IndexRef & { keys: readonly string[] }): Promise<void> {
    checkBatchKeys('DeleteVectors', input.keys, this.config.limits.maxDeleteKeys);
    const write = { indexName: input.indexName, vectors: input.keys.length };
    await this.transport.call('DeleteVectors', { method: 'POST', bucket: input.bucket, query: 'deleteVectors', body: { indexName: input.indexName, keys: input.keys }, write });
  }

  /** Exact top-K search, most similar first. */
  async queryVectors(input: QueryVectorsInput): Promise<VectorOutput[]> {
    checkQuery(input, input.index ?? (await this.shapeOf(input)), this.config.limits);
    const body = {
      indexName: input.indexName,
      queryVector: { float32: Array.from(input.queryVector) },
      topK: input.topK,
      ...(input.filter === undefined ? {} : { filter: input.filter }),
      returnDistance: input.returnDistance ?? false,
      returnMetadata: input.returnMetadata ?? false,
    };
    return (await this.json('QueryVectors', { method: 'POST', bucket: input.bucket, query: 'queryVectors', body }, VectorsResponseSchema)).vectors;
  }

  /** The index's dimension and metric, read once per index and remembered. */
  private async shapeOf(ref: IndexRef): Promise<IndexShape> {
    const id = `${ref.bucket}/${ref.indexName}`;
    const known = this.shapes.get(id);
    if (known) return known;
    const index = await this.getVectorIndex(ref);
    const shape: IndexShape = { dimension: index.dimension, distanceMetric: index.distanceMetric, nonFilterableMetadataKeys: index.metadata?.nonFilterableMetadataKeys ?? [] };
    this.shapes.set(id, shape);
    return shape;
  }

  private checkKeyCount(keys: readonly string[], max: number): void {
    if (keys.length < 1 || keys.length > max) throw new OssVectorsValidationError(ValidationReasons.TooManyKeys, `between 1 and ${max} keys are allowed; got ${keys.length}`);
  }

  private async json<S extends z.ZodType>(operation: OssVectorsOperation, call: TransportCall, schema: S): Promise<z.output<S>> {
    const answer = await this.transport.call(operation, call);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body.toString('utf8'));
    } catch (error) {
      throw new OssVectorsResponseError(`${operation} answered ${answer.status} with a body that is not JSON`, { cause: error });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw new OssVectorsResponseError(`${operation} answered an unexpected shape: ${result.error.message}`, { cause: result.error });
    return result.data;
  }
}

/** A full scan of an index split into parallel ListVectors segments. */
export interface ScanVectorsInput extends IndexRef {
  /** Parallel segments, 1..16. */
  readonly segmentCount: number;
  readonly maxResults?: number;
  readonly returnData?: boolean;
  readonly returnMetadata?: boolean;
}

interface Arrival {
  readonly segment: number;
  readonly page: VectorPage;
}

/**
 * Streams every vector of an index by running `segmentCount` ListVectors segments concurrently.
 * Each segment holds at most the page being yielded plus the one being fetched, so memory stays
 * flat however large the index is. Order is arrival order, not key order.
 */
export async function* scanVectors(client: OssVectorsClient, input: ScanVectorsInput): AsyncGenerator<VectorOutput, void, undefined> {
  const { segmentCount, ...rest } = input;
  if (!Number.isInteger(segmentCount) || segmentCount < 1 || segmentCount > client.config.limits.maxSegments) {
    throw new OssVectorsValidationError(ValidationReasons.InvalidArgument, `segmentCount ${segmentCount} is outside 1..${client.config.limits.maxSegments}`);
  }
  const fetchPage = (segment: number, nextToken?: string): Promise<Arrival> =>
    client
      .listVectors({ ...rest, segmentCount, segmentIndex: segment, ...(nextToken === undefined ? {} : { nextToken }) })
      .then((page) => ({ segment, page }));
  const pending = new Map<number, Promise<Arrival>>();
  for (let segment = 0; segment < segmentCount; segment += 1) pending.set(segment, fetchPage(segment));
  try {
    while (pending.size > 0) {
      const { segment, page } = await Promise.race(pending.values());
      if (page.nextToken === undefined) pending.delete(segment);
      else pending.set(segment, fetchPage(segment, page.nextToken));
      yield* page.vectors;
    }
  } finally {
    // A consumer that stops early or a failed segment leaves fetches in flight; settle them quietly.
    for (const promise of pending.values()) promise.catch(() => undefined);
  }
}
