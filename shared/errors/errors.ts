/** Whether an error is worth retrying: transient errors are retried, permanent ones are parked. */
export type ErrorKind = 'transient' | 'permanent';

/** Options every project error accepts: a machine-readable code, context for the reader, the cause. */
export interface VectorSyncErrorOptions {
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Base class of every error the project throws on purpose. */
export abstract class VectorSyncError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? new.target.name;
    this.details = options.details ?? {};
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/** A failure that may succeed later (throttling, 5xx, network, a lock held elsewhere). */
export class TransientError extends VectorSyncError {
  readonly kind = 'transient' as const;
}

/** A failure that will fail the same way every time (bad input, a broken contract). */
export class PermanentError extends VectorSyncError {
  readonly kind = 'permanent' as const;
}
