/** Defaults of a local Resend: one full-access key and Resend's documented default rate. */
export const ResendEmulatorDefaults = {
  apiKey: 're_local_0000000000000000000000000000',
  /** Requests per second per team, as on Resend's current "Usage Limits" page. */
  ratePerSecond: 5,
} as const;

/** Limits Resend documents for the calls the emulator serves. */
export const ResendEmulatorLimits = {
  maxRecipients: 50,
  maxBatchEmails: 100,
  minIdempotencyKeyLength: 1,
  maxIdempotencyKeyLength: 256,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  maxTagLength: 256,
  maxScheduleAheadMs: 30 * 24 * 60 * 60 * 1000,
  rateWindowMs: 1000,
} as const;

/** What an API key may do: everything, or only send (`GET /emails/:id` is then refused). */
export const ApiKeyPermissions = {
  fullAccess: 'full_access',
  sendingAccess: 'sending_access',
} as const;

/** The operations served; faults match on these names. */
export const ResendOperations = {
  sendEmail: 'SendEmail',
  sendBatch: 'SendBatchEmails',
  getEmail: 'GetEmail',
  methodNotAllowed: 'MethodNotAllowed',
} as const;

/** Resend's error names with the status each is answered with (reference §5). */
export const ResendApiErrors = {
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
