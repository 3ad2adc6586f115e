import * as z from 'zod';
import { OssVectorsApiError } from './errors';
import type { OperationContext } from './types';

const flag = z.boolean().optional();
// Float arrays are checked by hand while packing: a zod pass over 768k numbers would double the cost.
const floats = z.object({ float32: z.custom<unknown[]>((value) => Array.isArray(value), 'float32 must be an array of numbers') });
const metadataValue = z.union([z.string(), z.array(z.string())]);

/** The body of GetVectorIndex and DeleteVectorIndex. */
export const IndexNameBodySchema = z.object({ indexName: z.string() });

/** The body of PutVectorIndex; the values are checked by the handler. */
export const PutVectorIndexBodySchema = z.object({
  indexName: z.string(),
  dataType: z.string(),
  dimension: z.number(),
  distanceMetric: z.string(),
  metadata: z.object({ nonFilterableMetadataKeys: z.array(z.string()).optional() }).optional(),
});

/** The body of ListVectorIndexes. */
export const ListVectorIndexesBodySchema = z.object({ maxResults: z.number().optional(), nextToken: z.string().optional(), prefix: z.string().optional() });

/** The body of PutVectors; the floats are checked while packing. */
export const PutVectorsBodySchema = z.object({
  indexName: z.string(),
  vectors: z.array(z.object({ key: z.string(), data: floats, metadata: z.record(z.string(), metadataValue).optional() })),
});
/** A parsed PutVectors body. */
export type PutVectorsBody = z.infer<typeof PutVectorsBodySchema>;

/** The body of GetVectors. */
export const GetVectorsBodySchema = z.object({ indexName: z.string(), keys: z.array(z.string()), returnData: flag, returnMetadata: flag });

/** The body of ListVectors. */
export const ListVectorsBodySchema = z.object({
  indexName: z.string(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
  returnData: flag,
  returnMetadata: flag,
  segmentCount: z.number().optional(),
  segmentIndex: z.number().optional(),
});

/** The body of DeleteVectors. */
export const DeleteVectorsBodySchema = z.object({ indexName: z.string(), keys: z.array(z.string()) });

/** The body of QueryVectors. */
export const QueryVectorsBodySchema = z.object({
  indexName: z.string(),
  queryVector: floats,
  topK: z.number(),
  filter: z.record(z.string(), z.unknown()).optional(),
  returnDistance: flag,
  returnMetadata: flag,
});

/** Parses a JSON request body with a schema: a missing field is MissingArgument, a bad one InvalidArgument. */
export function parseBody<S extends z.ZodType>(schema: S, body: Buffer): z.output<S> {
  let json: unknown;
  try {
    json = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new OssVectorsApiError('InvalidArgument', 'the request body is not valid JSON', { cause: error });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const missing = issue?.code === 'invalid_type' && issue.message.includes('undefined');
  throw new OssVectorsApiError(missing ? 'MissingArgument' : 'InvalidArgument', `${path || 'body'}: ${issue?.message ?? 'invalid'}`, { cause: result.error });
}

/** The bucket the call's host names; a call on the service host cannot take one (MethodNotAllowed). */
export function requireBucket(context: OperationContext): string {
  if (context.bucket === undefined) throw new OssVectorsApiError('MethodNotAllowed', 'this call needs a bucket host');
  return context.bucket;
}

/** The call's bucket, which must exist (NoSuchBucket otherwise). */
export function bucketOf(context: OperationContext): string {
  return context.store.bucket(requireBucket(context)).name;
}
