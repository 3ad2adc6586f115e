import { TransientError } from '../errors';

/** Every attempt failed with a retryable error; keeps the last one as the cause. */
export class RetriesExhaustedError extends TransientError {
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause: unknown) {
    const last = cause instanceof Error ? cause.message : String(cause);
    super(`${operation} failed after ${attempts} attempts: ${last}`, {
      code: 'RetriesExhausted',
      details: { operation, attempts },
      cause,
    });
    this.attempts = attempts;
  }
}
