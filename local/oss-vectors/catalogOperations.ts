import type { EmulatorResponse } from '../http';
import { OssVectorsApiError } from './errors';
import { bucketOf, IndexNameBodySchema, ListVectorIndexesBodySchema, parseBody, PutVectorIndexBodySchema, requireBucket } from './request';
import type { IndexSettings, Metric, OperationContext } from './types';

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/u;
const INDEX_NAME = /^[A-Za-z][A-Za-z0-9]{0,62}$/u;

function describeBucket(context: OperationContext, name: string, creationDate: string): Record<string, string> {
  const region = context.region;
  return {
    CreationDate: creationDate,
    ExtranetEndpoint: `${region}.oss-vectors.aliyuncs.com`,
    IntranetEndpoint: `${region}-internal.oss-vectors.aliyuncs.com`,
    Location: `oss-${region}`,
    Region: region,
    Name: name,
    ResourceGroupId: 'rg-default',
  };
}

function describeIndex(context: OperationContext, settings: IndexSettings): Record<string, unknown> {
  return {
    indexName: settings.indexName,
    createTime: settings.createTime,
    dataType: 'float32',
    dimension: settings.dimension,
    distanceMetric: settings.distanceMetric,
    metadata: { nonFilterableMetadataKeys: settings.nonFilterableMetadataKeys },
    status: 'enable',
    vectorBucketName: settings.bucket,
    bucketArn: `acs:ossvector:${context.region}:${context.accountId}:${settings.bucket}`,
  };
}

function checkSettings(body: ReturnType<typeof PutVectorIndexBodySchema.parse>, context: OperationContext): void {
  if (!INDEX_NAME.test(body.indexName)) throw new OssVectorsApiError('InvalidArgument', 'index names are 1..63 letters and digits, starting with a letter');
  if (body.dataType !== 'float32') throw new OssVectorsApiError('InvalidArgument', 'dataType must be float32');
  if (!Number.isInteger(body.dimension) || body.dimension < 1 || body.dimension > context.limits.maxDimension) {
    throw new OssVectorsApiError('InvalidArgument', `dimension must be an integer 1..${context.limits.maxDimension}`);
  }
  if (body.distanceMetric !== 'cosine' && body.distanceMetric !== 'euclidean') throw new OssVectorsApiError('InvalidArgument', 'distanceMetric must be cosine or euclidean');
  const keys = body.metadata?.nonFilterableMetadataKeys;
  if (keys !== undefined && (keys.length < 1 || keys.length > context.limits.maxNonFilterableKeys || keys.some((key) => Buffer.byteLength(key) < 1 || Buffer.byteLength(key) > 63))) {
    throw new OssVectorsApiError('InvalidArgument', `nonFilterableMetadataKeys takes 1..${context.limits.maxNonFilterableKeys} keys of 1..63 bytes`);
  }
}

/**
 * The catalog calls: buckets (PutVectorBucket, GetVectorBucket, ListVectorBuckets, DeleteVectorBucket)
 * and indexes (PutVectorIndex, GetVectorIndex, ListVectorIndexes, DeleteVectorIndex).
 */
export const catalogOperations = {
  PutVectorBucket(context: OperationContext): EmulatorResponse {
    const name = requireBucket(context);
    if (!BUCKET_NAME.test(name)) throw new OssVectorsApiError('InvalidBucketName', `${name} is not 3..32 of [a-z0-9-] without a hyphen at either end`);
    if (context.store.hasBucket(name)) throw new OssVectorsApiError('BucketAlreadyExists');
    if (context.store.listBuckets().length >= context.limits.maxBuckets) throw new OssVectorsApiError('TooManyBuckets');
    context.store.createBucket({ name, creationDate: new Date(context.now).toISOString() });
    return { status: 200, headers: { location: `/${name}` } };
  },

  GetVectorBucket(context: OperationContext): EmulatorResponse {
    const bucket = context.store.bucket(requireBucket(context));
    const info = describeBucket(context, `acs:ossvector:${context.region}:${context.accountId}:${bucket.name}`, bucket.creationDate);
    return { status: 200, body: { BucketInfo: info } };
  },

  ListVectorBuckets(context: OperationContext): EmulatorResponse {
    const prefix = context.query.get('prefix') ?? '';
    const marker = context.query.get('marker') ?? '';
    const maxKeys = Number(context.query.get('max-keys') ?? 100);
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000) throw new OssVectorsApiError('InvalidArgument', 'max-keys must be 1..1000');
    const matching = context.store.listBuckets().filter((bucket) => bucket.name.startsWith(prefix) && bucket.name > marker);
    const page = matching.slice(0, maxKeys);
    const truncated = matching.length > maxKeys;
    const result = {
      Prefix: prefix,
      Marker: marker,
      MaxKeys: maxKeys,
      IsTruncated: truncated,
      ...(truncated ? { NextMarker: page.at(-1)?.name ?? '' } : {}),
      Buckets: page.map((bucket) => describeBucket(context, bucket.name, bucket.creationDate)),
    };
    return { status: 200, body: { ListAllMyBucketsResult: result } };
  },

  DeleteVectorBucket(context: OperationContext): EmulatorResponse {
    context.store.deleteBucket(bucketOf(context));
    return { status: 204 };
  },

  PutVectorIndex(context: OperationContext): EmulatorResponse {
    const bucket = bucketOf(context);
    const body = parseBody(PutVectorIndexBodySchema, context.body);
    checkSettings(body, context);
    if (context.store.hasIndex(bucket, body.indexName)) throw new OssVectorsApiError('VectorIndexAlreadyExists');
    if (context.store.listIndexes(bucket).length >= context.limits.maxIndexesPerBucket) throw new OssVectorsApiError('TooManyVectorIndexes');
    context.writeQuota.admitIndexCreation();
    context.store.createIndex({
      bucket,
      indexName: body.indexName,
      dimension: body.dimension,
      distanceMetric: body.distanceMetric as Metric,
      nonFilterableMetadataKeys: body.metadata?.nonFilterableMetadataKeys ?? [],
      createTime: new Date(context.now).toISOString(),
    });
    return { status: 200 };
  },

  GetVectorIndex(context: OperationContext): EmulatorResponse {
    const body = parseBody(IndexNameBodySchema, context.body);
    return { status: 200, body: { index: describeIndex(context, context.store.index(bucketOf(context), body.indexName).settings) } };
  },

  ListVectorIndexes(context: OperationContext): EmulatorResponse {
    const bucket = bucketOf(context);
    const body = parseBody(ListVectorIndexesBodySchema, context.body);
    const max = body.maxResults === undefined || body.maxResults === 0 ? context.limits.defaultIndexPageResults : body.maxResults;
    if (!Number.isInteger(max) || max < 0 || max > context.limits.maxIndexPageResults) throw new OssVectorsApiError('InvalidArgument', `maxResults must be 0..${context.limits.maxIndexPageResults}`);
    const after = body.nextToken === undefined || body.nextToken === '' ? '' : Buffer.from(body.nextToken, 'base64url').toString('utf8');
    const matching = context.store.listIndexes(bucket).filter((settings) => settings.indexName.startsWith(body.prefix ?? '') && settings.indexName > after);
    const page = matching.slice(0, max);
    const nextToken = matching.length > max ? Buffer.from(page.at(-1)?.indexName ?? '').toString('base64url') : undefined;
    return { status: 200, body: { indexes: page.map((settings) => describeIndex(context, settings)), ...(nextToken ? { nextToken } : {}) } };
  },

  DeleteVectorIndex(context: OperationContext): EmulatorResponse {
    const body = parseBody(IndexNameBodySchema, context.body);
    context.store.deleteIndex(bucketOf(context), body.indexName);
    return { status: 204 };
  },
} as const;
