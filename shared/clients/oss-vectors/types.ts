import * as z from 'zod';
import type { DistanceMetrics, OssVectorsOperations, ValidationReasons } from './constants';

/** A distance metric of an index. */
export type DistanceMetric = (typeof DistanceMetrics)[keyof typeof DistanceMetrics];

/** An operation name of the client. */
export type OssVectorsOperation = (typeof OssVectorsOperations)[keyof typeof OssVectorsOperations];

/** Why the client refused input. */
export type ValidationReason = (typeof ValidationReasons)[keyof typeof ValidationReasons];

/** A metadata value: strings and string arrays (numbers are not guaranteed by the docs). */
export type MetadataValue = string | readonly string[];

/** Metadata of one vector. */
export type VectorMetadata = Readonly<Record<string, MetadataValue>>;

/** One vector to write. */
export interface VectorInput {
  readonly key: string;
  readonly data: readonly number[] | Float32Array;
  readonly metadata?: VectorMetadata;
}

/** What the client must know about an index to check vectors before sending them. */
export interface IndexShape {
  readonly dimension: number;
  readonly distanceMetric: DistanceMetric;
  readonly nonFilterableMetadataKeys?: readonly string[];
}

/** A condition on one metadata key. */
export interface FilterCondition {
  readonly $eq?: string;
  readonly $ne?: string;
  readonly $in?: readonly string[];
  readonly $nin?: readonly string[];
  readonly $exists?: boolean;
}

/** A QueryVectors filter: conditions by key, combined with `$and` / `$or`. */
export interface VectorFilter {
  readonly [key: string]: FilterCondition | readonly VectorFilter[];
}

/** Addresses an index. */
export interface IndexRef {
  readonly bucket: string;
  readonly indexName: string;
}

const MetadataSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** One bucket as GetVectorBucket and ListVectorBuckets describe it. */
const VectorBucketSchema = z.object({
  Name: z.string(),
  Location: z.string().optional(),
  Region: z.string().optional(),
  CreationDate: z.string().optional(),
  ExtranetEndpoint: z.string().optional(),
  IntranetEndpoint: z.string().optional(),
  ResourceGroupId: z.string().optional(),
});
/** A vector bucket. */
export type VectorBucket = z.infer<typeof VectorBucketSchema>;

/** GetVectorBucket: one wrapping root key, XML-like. */
export const GetVectorBucketResponseSchema = z.object({ BucketInfo: VectorBucketSchema });

// Paging fields may be missing on the last page, and XML-born values may arrive as strings.
const looseBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** ListVectorBuckets. */
export const ListVectorBucketsResponseSchema = z.object({
  ListAllMyBucketsResult: z.object({
    Prefix: z.string().optional(),
    Marker: z.string().optional(),
    MaxKeys: z.union([z.number(), z.string()]).optional(),
    IsTruncated: looseBoolean.optional(),
    NextMarker: z.string().optional(),
    Buckets: z.array(VectorBucketSchema).optional(),
  }),
});

/** One index as GetVectorIndex and ListVectorIndexes describe it. */
const VectorIndexSchema = z.object({
  indexName: z.string(),
  dataType: z.string(),
  dimension: z.number().int(),
  distanceMetric: z.enum(['cosine', 'euclidean']),
  metadata: z.object({ nonFilterableMetadataKeys: z.array(z.string()).optional() }).optional(),
  status: z.string().optional(),
  createTime: z.union([z.string(), z.number()]).optional(),
  vectorBucketName: z.string().optional(),
  bucketArn: z.string().optional(),
});
/** A vector index. */
export type VectorIndex = z.infer<typeof VectorIndexSchema>;

/** GetVectorIndex. */
export const GetVectorIndexResponseSchema = z.object({ index: VectorIndexSchema });

/** ListVectorIndexes, one page. */
export const ListVectorIndexesResponseSchema = z.object({ indexes: z.array(VectorIndexSchema), nextToken: z.string().optional() });

/** A vector as GetVectors, ListVectors and QueryVectors return it (fields depend on the flags). */
const VectorOutputSchema = z.object({
  key: z.string(),
  data: z.object({ float32: z.array(z.number()) }).optional(),
  metadata: MetadataSchema.optional(),
  distance: z.number().optional(),
});
/** A vector as read back. */
export type VectorOutput = z.infer<typeof VectorOutputSchema>;

/** GetVectors, ListVectors and QueryVectors: the vectors and, when paging, the next token. */
export const VectorsResponseSchema = z.object({ vectors: z.array(VectorOutputSchema), nextToken: z.string().optional() });
