import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';
import type { ValidationReason } from './types';

/** What OSS said about a failed call. */
export interface ServiceErrorContext {
  readonly operation: string;
  readonly status: number;
  /** OSS error code, e.g. `SignatureDoesNotMatch`. */
  readonly code: string;
  readonly message: string;
  readonly requestId?: string;
  /** OSS's detail code (`EC`), for support tickets. */
  readonly ec?: string;
  /** Server-requested delay before a retry (Retry-After), in ms. */
  readonly retryAfterMs?: number;
}

function describe(context: ServiceErrorContext): string {
  return `${context.operation} failed: ${context.status} ${context.code}: ${context.message}${context.requestId ? ` (request ${context.requestId})` : ''}`;
}

/** OSS Vectors answered a throttle (429) or a server error (5xx): worth retrying. */
export class OssVectorsUnavailableError extends TransientError {
  readonly status: number;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(readonly context: ServiceErrorContext, options: VectorSyncErrorOptions = {}) {
    super(describe(context), { code: context.code, details: { ...context }, ...options });
    this.status = context.status;
    this.requestId = context.requestId;
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** OSS Vectors refused the request (4xx other than 429): resending it will fail the same way. */
export class OssVectorsRequestError extends PermanentError {
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(readonly context: ServiceErrorContext, options: VectorSyncErrorOptions = {}) {
    super(describe(context), { code: context.code, details: { ...context }, ...options });
    this.status = context.status;
    this.requestId = context.requestId;
  }
}

/** A bucket, index or other resource does not exist (404). */
export class OssVectorsNotFoundError extends OssVectorsRequestError {}

/** Authentication or authorisation failed (403): bad key, bad signature, skewed clock, no right. */
export class OssVectorsAccessDeniedError extends OssVectorsRequestError {}

/** The connection failed, timed out or was dropped before an answer. */
export class OssVectorsNetworkError extends TransientError {}

/** A success answer could not be read as the documented JSON. */
export class OssVectorsResponseError extends PermanentError {}

/** The client settings are unusable. */
export class OssVectorsConfigError extends PermanentError {}

/** Input refused by the client before sending, with the reason and, when known, the vector key. */
export class OssVectorsValidationError extends PermanentError {
  readonly reason: ValidationReason;
  readonly key: string | undefined;

  constructor(reason: ValidationReason, message: string, key?: string, options: VectorSyncErrorOptions = {}) {
    super(message, { code: reason, details: key === undefined ? {} : { key }, ...options });
    this.reason = reason;
    this.key = key;
  }
}
