import type * as z from 'zod';
import { PermanentError } from '../errors';
import type { VectorSyncErrorOptions } from '../errors';

/** Base of contract errors: input that will never parse, so retrying is useless. */
export class ContractError extends PermanentError {}

/** The event bytes are not JSON (or not UTF-8 text). */
export class EventDecodeError extends ContractError {
  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'EventNotJson', ...options });
  }
}

/** A single event arrived where a batch was expected, or the reverse. */
export class EventShapeError extends ContractError {
  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'EventShapeMismatch', ...options });
  }
}

/** The event parsed as JSON but a field is missing, mistyped or out of its limits. */
export class EventValidationError extends ContractError {
  /** `path: message` for each problem, paths like `data.changes[3].id`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: VectorSyncErrorOptions = {}) {
    super(`invalid event: ${problems.join('; ')}`, { code: 'EventInvalid', ...options, details: { problems } });
    this.problems = problems;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(event)' : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function shortValue(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Turns zod issues into `path: message` lines that name the field (`data.changes[3].id: ...`);
 * for enum and union mismatches the offending value is shown (shortened).
 */
export function formatIssues(error: z.ZodError, input?: unknown): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    let message = issue.message.replace(/^Invalid input: /u, '');
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) message = 'is missing';
    if (issue.code === 'invalid_union' || issue.code === 'invalid_value') {
      const got = shortValue(valueAt(input, issue.path));
      if (got !== undefined) message += ` (got ${got})`;
    }
    return `${path}: ${message}`;
  });
}

/** Parses a value with a schema, throwing an EventValidationError that names each bad field. */
export function parseWith<TSchema extends z.ZodType>(schema: TSchema, value: unknown): z.output<TSchema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new EventValidationError(formatIssues(result.error, value), { cause: result.error });
  return result.data;
}
