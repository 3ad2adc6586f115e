import type * as z from 'zod';
import { EventValidationError } from './errors';
import { formatIssues } from './formatIssues';

/** Parses a value with a schema, throwing an EventValidationError that names each bad field. */
export function parseWith<TSchema extends z.ZodType>(schema: TSchema, value: unknown): z.output<TSchema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new EventValidationError(formatIssues(result.error, value), { cause: result.error });
  return result.data;
}
