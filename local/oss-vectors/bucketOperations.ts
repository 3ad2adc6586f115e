import { OssVectorsApiError } from './errors';
import type { EmulatorResponse } from '../http';
import type { OperationContext } from './types';

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/u;

function requireBucket(context: OperationContext): string {
  if (context.bucket === undefined) throw new OssVectorsApiError('MethodNotAllowed', 'this call needs a bucket host');
  return context.bucket;
}

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

/** Bucket calls: PutVectorBucket, GetVectorBucket, ListVectorBuckets, DeleteVectorBucket. */
export const bucketOperations = {
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
    const name = context.store.bucket(requireBucket(context)).name;
    context.store.deleteBucket(name);
    return { status: 204 };
  },
} as const;
