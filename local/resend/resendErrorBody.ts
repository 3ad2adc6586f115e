import { ResendApiErrors } from './constants';
import type { ResendApiErrorName } from './constants';

function nameFor(status: number): ResendApiErrorName {
  if (status === 401) return 'missing_api_key';
  if (status === 403) return 'invalid_api_key';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 409) return 'invalid_idempotent_request';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'application_error';
  return 'validation_error';
}

/**
 * Resend's error body `{statusCode, message, name}`. A code that is not a Resend name (a fault's
 * `ServiceUnavailable`, the shared server's `NotFound`) is replaced by the name for its status.
 */
export function resendErrorBody(status: number, code: string, message: string): { statusCode: number; message: string; name: ResendApiErrorName } {
  const name = Object.hasOwn(ResendApiErrors, code) ? (code as ResendApiErrorName) : nameFor(status);
  return { statusCode: status, message, name };
}
