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
