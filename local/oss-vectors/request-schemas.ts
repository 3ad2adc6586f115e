import * as z from 'zod';

const flag = z.boolean().optional();
// Float arrays are checked by hand while packing: a zod pass over 768k numbers would double the cost.
const floats = z.object({ float32: z.custom<unknown[]>((value) => Array.isArray(value), 'float32 must be an array of numbers') });
const metadataValue = z.union([z.string(), z.array(z.string())]);

export const IndexNameBodySchema = z.object({ indexName: z.string() });

export const PutVectorIndexBodySchema = z.object({
  indexName: z.string(),
  dataType: z.string(),
  dimension: z.number(),
  distanceMetric: z.string(),
  metadata: z.object({ nonFilterableMetadataKeys: z.array(z.string()).optional() }).optional(),
});

export const ListVectorIndexesBodySchema = z.object({ maxResults: z.number().optional(), nextToken: z.string().optional(), prefix: z.string().optional() });

export const PutVectorsBodySchema = z.object({
  indexName: z.string(),
  vectors: z.array(z.object({ key: z.string(), data: floats, metadata: z.record(z.string(), metadataValue).optional() })),
});
export type PutVectorsBody = z.infer<typeof PutVectorsBodySchema>;

export const GetVectorsBodySchema = z.object({ indexName: z.string(), keys: z.array(z.string()), returnData: flag, returnMetadata: flag });

export const ListVectorsBodySchema = z.object({
  indexName: z.string(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
  returnData: flag,
  returnMetadata: flag,
  segmentCount: z.number().optional(),
  segmentIndex: z.number().optional(),
});

export const DeleteVectorsBodySchema = z.object({ indexName: z.string(), keys: z.array(z.string()) });

export const QueryVectorsBodySchema = z.object({
  indexName: z.string(),
  queryVector: floats,
  topK: z.number(),
  filter: z.record(z.string(), z.unknown()).optional(),
  returnDistance: flag,
  returnMetadata: flag,
});
