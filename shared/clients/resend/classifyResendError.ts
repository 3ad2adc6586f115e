import type { ErrorResponse } from 'resend';
import type { VectorSyncError } from '../../errors';
import { ResendErrorNames } from './constants';
import {
  ResendAuthError,
  ResendIdempotencyError,
  ResendQuotaExceededError,
  ResendRateLimitedError,
  ResendRejectedError,
  ResendUnavailableError,
  ResendValidationError,
} from './errors';
import { readRateLimit } from './readRateLimit';
import { scrubSecret } from './scrubSecret';

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
