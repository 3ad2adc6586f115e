import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';

/** What every Resend API error carries: Resend's error `name` and the HTTP status (null: no answer). */
export interface ResendErrorContext {
  readonly resendName: string;
  readonly status: number | null;
}

/** Options of a Resend API error: the context plus the project's usual options. */
export type ResendErrorOptions = ResendErrorContext & VectorSyncErrorOptions;

function withContext(options: ResendErrorOptions): VectorSyncErrorOptions {
  return {
    code: options.code ?? options.resendName,
    details: { ...options.details, resendName: options.resendName, status: options.status },
    cause: options.cause,
  };
}

/** The mailer settings are unusable (empty API key, a base URL that is not http(s)). */
export class ResendConfigError extends PermanentError {}

/** Resend refused the request for good (4xx other than throttling): sending it again fails the same way. */
export class ResendRejectedError extends PermanentError implements ResendErrorContext {
  readonly resendName: string;
  readonly status: number | null;

  constructor(message: string, options: ResendErrorOptions) {
    super(message, withContext(options));
    this.resendName = options.resendName;
    this.status = options.status;
  }
}

/** The API key is missing, unknown or not allowed to do this (401/403 `*_api_key`). */
export class ResendAuthError extends ResendRejectedError {}

/** The message itself is invalid (422/400 and 403 `validation_error`: fields, addresses, recipients). */
export class ResendValidationError extends ResendRejectedError {}

/** The idempotency key is malformed or was used before with a different message (400/409). */
export class ResendIdempotencyError extends ResendRejectedError {}

/** Resend answered 200 with a body that is not `{id}`: a broken contract, not a passing failure. */
export class ResendResponseError extends PermanentError {}

/** A failure that may pass (5xx, network, a concurrent request with the same key). */
export class ResendUnavailableError extends TransientError implements ResendErrorContext {
  readonly resendName: string;
  readonly status: number | null;

  constructor(message: string, options: ResendErrorOptions) {
    super(message, withContext(options));
    this.resendName = options.resendName;
    this.status = options.status;
  }
}

/** 429 `rate_limit_exceeded`: retry after `retryAfterMs` (from `retry-after` or `ratelimit-reset`). */
export class ResendRateLimitedError extends ResendUnavailableError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ResendErrorOptions & { readonly retryAfterMs: number | undefined }) {
    super(message, { ...options, details: { ...options.details, retryAfterMs: options.retryAfterMs } });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * 429 `daily_quota_exceeded` / `monthly_quota_exceeded`: worth sending later, once the period
 * resets, but not worth retrying now, so the mailer gives up at once and the caller's queue decides.
 */
export class ResendQuotaExceededError extends ResendUnavailableError {}

/** Every attempt failed with a retryable error; the last classified error is the cause. */
export class ResendRetriesExhaustedError extends ResendUnavailableError {
  readonly attempts: number;

  constructor(message: string, options: ResendErrorOptions & { readonly attempts: number }) {
    super(message, { ...options, details: { ...options.details, attempts: options.attempts } });
    this.attempts = options.attempts;
  }
}
