import * as z from 'zod';

const MetadataSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** One bucket as GetVectorBucket and ListVectorBuckets describe it. */
export const VectorBucketSchema = z.object({
  Name: z.string(),
  Location: z.string().optional(),
  Region: z.string().optional(),
  CreationDate: z.string().optional(),
  ExtranetEndpoint: z.string().optional(),
  IntranetEndpoint: z.string().optional(),
  ResourceGroupId: z.string().optional(),
});
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
export const VectorIndexSchema = z.object({
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
export type VectorIndex = z.infer<typeof VectorIndexSchema>;

export const GetVectorIndexResponseSchema = z.object({ index: VectorIndexSchema });

export const ListVectorIndexesResponseSchema = z.object({ indexes: z.array(VectorIndexSchema), nextToken: z.string().optional() });

/** A vector as GetVectors, ListVectors and QueryVectors return it (fields depend on the flags). */
export const VectorOutputSchema = z.object({
  key: z.string(),
  data: z.object({ float32: z.array(z.number()) }).optional(),
  metadata: MetadataSchema.optional(),
  distance: z.number().optional(),
});
export type VectorOutput = z.infer<typeof VectorOutputSchema>;

export const VectorsResponseSchema = z.object({ vectors: z.array(VectorOutputSchema), nextToken: z.string().optional() });
