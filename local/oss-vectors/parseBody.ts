import type * as z from 'zod';
import { OssVectorsApiError } from './errors';

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
