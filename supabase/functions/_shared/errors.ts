// The errors the edge functions raise: each carries the HTTP status it is answered with and whether
// the same call may succeed later. Configuration errors come from shared/config.ts (answered 500).
import { describeError } from '../../../shared/errors.ts';

/** Base of every error the edge functions raise; `status` is the HTTP answer it leads to. */
export class EdgeFunctionError extends Error {
  override name = 'EdgeFunctionError';
  readonly status: number;
  /** Whether the same call may succeed later (retry) or will fail again (park). */
  readonly transient: boolean;

  constructor(message: string, options: { status?: number; transient?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 500;
    this.transient = options.transient ?? false;
  }
}

/** The embedding column's dimension differs from the provider's. */
export class DimensionMismatchError extends EdgeFunctionError {
  override name = 'DimensionMismatchError';
  constructor(readonly column: number, readonly provider: number, readonly model: string) {
    super(`public.document_embeddings.embedding is vector(${column}) but ${model} produces ${provider} dimensions; set EMBEDDING_DIMENSION or migrate the column (docs/supabase.md, "Changing the dimension")`, { status: 500 });
  }
}

/** Reading the queue failed: nothing can be claimed, so the run is not a success. */
export class QueueReadError extends EdgeFunctionError {
  override name = 'QueueReadError';
  constructor(readonly queue: string, cause: unknown) {
    super(`reading queue ${queue} failed: ${errorText(cause)}`, { status: 503, transient: true, cause });
  }
  /** What the call had done before the failed read (answered with the error). */
  counts: Readonly<Record<string, number>> | undefined;
}

/** The embedding provider refused or failed a batch. */
export class ProviderError extends EdgeFunctionError {
  override name = 'ProviderError';
  constructor(message: string, options: { transient: boolean; httpStatus?: number; cause?: unknown }) {
    super(message, { status: 502, transient: options.transient, cause: options.cause });
    this.httpStatus = options.httpStatus;
  }
  readonly httpStatus: number | undefined;
  /** The provider's `Retry-After`, when it sent one. */
  retryAfterMs: number | undefined;
}

/** A whole PutEvents call failed (after its own bounded retries). */
export class PublishCallError extends EdgeFunctionError {
  override name = 'PublishCallError';
  constructor(message: string, readonly code: string, transient: boolean, cause?: unknown) {
    super(message, { status: 502, transient, cause });
  }
}

/**
 * `name: message` of anything thrown (shared/errors.ts's describeError), at most 1,000 characters:
 * the form logs and `vector_sync.dead_letters.error` take.
 */
export function errorText(error: unknown): string {
  const { name, message } = describeError(error);
  return `${name}: ${message}`.slice(0, 1_000);
}
