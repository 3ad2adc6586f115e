import type { ErrorResponse } from 'resend';
import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncError, VectorSyncErrorOptions } from '../../errors';
import { parseRetryAfter } from '../../retry';
import { RateLimitHeaders, ResendErrorNames } from './types';
import type { RateLimitInfo } from './types';

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

/** Replaces every occurrence of `secret` in `text`, so a server that echoes the key cannot leak it. */
function scrubSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}

function count(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/u.test(value)) return undefined;
  return Number(value);
}

/**
 * Reads Resend's throttling headers. `ratelimit-reset` is delay-seconds (draft 6), so it goes
 * through the same parser as `retry-after`. Header names arrive lower-cased from the SDK.
 */
export function readRateLimit(headers: Readonly<Record<string, string>> | null | undefined, now: number = Date.now()): RateLimitInfo {
  return {
    limit: count(headers?.[RateLimitHeaders.limit]),
    remaining: count(headers?.[RateLimitHeaders.remaining]),
    resetMs: parseRetryAfter(headers?.[RateLimitHeaders.reset], now),
    retryAfterMs: parseRetryAfter(headers?.[RateLimitHeaders.retryAfter], now),
  };
}

function isOneOf(name: string, names: readonly string[]): boolean {
  return names.includes(name);
}

/**
 * Turns the SDK's `error` (Resend's `{name, statusCode, message}`, or the SDK's own
 * `application_error` for a non-JSON body or a network failure, then with `statusCode: null`) into
 * a typed error. The name decides first, the status second. The key is scrubbed from the message;
 * the cause keeps only the three fields, never the SDK's request.
 */
export function classifyResendError(
  error: ErrorResponse,
  headers: Readonly<Record<string, string>> | null,
  operation: string,
  apiKey: string,
): VectorSyncError {
  const resendName = typeof error.name === 'string' ? error.name : 'application_error';
  const status = typeof error.statusCode === 'number' ? error.statusCode : null;
  const message = scrubSecret(typeof error.message === 'string' ? error.message : '', apiKey);
  const cause = { name: resendName, statusCode: status, message };
  const options = { resendName, status, details: { operation }, cause };
  const text = `${operation} failed: ${status ?? 'no answer'} ${resendName}: ${message}`;
  if (isOneOf(resendName, ResendErrorNames.quota)) return new ResendQuotaExceededError(text, options);
  if (isOneOf(resendName, ResendErrorNames.rateLimited) || status === 429) {
    const limits = readRateLimit(headers);
    // retry-after is the server's explicit ask; ratelimit-reset is the same wait in draft-6 terms.
    return new ResendRateLimitedError(text, { ...options, retryAfterMs: limits.retryAfterMs ?? limits.resetMs });
  }
  if (isOneOf(resendName, ResendErrorNames.concurrent)) return new ResendUnavailableError(text, options);
  if (isOneOf(resendName, ResendErrorNames.auth)) return new ResendAuthError(text, options);
  if (isOneOf(resendName, ResendErrorNames.idempotency)) return new ResendIdempotencyError(text, options);
  if (isOneOf(resendName, ResendErrorNames.validation)) return new ResendValidationError(text, options);
  if (status === null || status === 408 || status >= 500) return new ResendUnavailableError(text, options);
  return new ResendRejectedError(text, options);
}
