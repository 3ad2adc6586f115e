import { PermanentError } from '../../shared/errors';

/** Resend's error names with the status each is answered with (reference §5). */
const ResendApiErrors = {
  missing_api_key: 401,
  restricted_api_key: 401,
  invalid_api_key: 403,
  invalid_idempotency_key: 400,
  validation_error: 422,
  missing_required_field: 422,
  invalid_from_address: 422,
  invalid_parameter: 422,
  invalid_attachment: 422,
  not_found: 404,
  method_not_allowed: 405,
  invalid_idempotent_request: 409,
  concurrent_idempotent_requests: 409,
  rate_limit_exceeded: 429,
  daily_quota_exceeded: 429,
  monthly_quota_exceeded: 429,
  application_error: 500,
  internal_server_error: 500,
} as const;

/** A Resend error name the emulator answers with. */
export type ResendApiErrorName = keyof typeof ResendApiErrors;

/** A refusal in Resend's terms; the service turns it into `{statusCode, message, name}`. */
export class ResendApiError extends PermanentError {
  readonly status: number;
  readonly resendName: ResendApiErrorName;
  /** Extra response headers (e.g. the rate limit ones on a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(resendName: ResendApiErrorName, message: string, options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}) {
    super(message, { code: resendName });
    this.resendName = resendName;
    this.status = options.status ?? ResendApiErrors[resendName];
    this.headers = options.headers ?? {};
  }
}

/** The emulator's settings are unusable (no key, a bad rate). */
export class ResendEmulatorConfigError extends PermanentError {}

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
