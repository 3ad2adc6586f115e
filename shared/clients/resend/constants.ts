/** Default retry of 429 `rate_limit_exceeded`, 5xx and network failures. */
export const ResendRetryDefaults = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  /** A `retry-after` longer than this is cut to it, so a confused server cannot park the caller. */
  maxRetryAfterMs: 30_000,
  jitter: 'full',
} as const;

/** Resend's error names (`RESEND_ERROR_CODE_KEY`), grouped by what the mailer does with them. */
export const ResendErrorNames = {
  auth: ['missing_api_key', 'invalid_api_key', 'restricted_api_key'],
  validation: [
    'validation_error',
    'missing_required_field',
    'invalid_from_address',
    'invalid_parameter',
    'invalid_attachment',
    'invalid_access',
    'invalid_region',
  ],
  idempotency: ['invalid_idempotency_key', 'invalid_idempotent_request'],
  /** The first request with this key is still running: retry shortly with the same key. */
  concurrent: ['concurrent_idempotent_requests'],
  rateLimited: ['rate_limit_exceeded'],
  quota: ['daily_quota_exceeded', 'monthly_quota_exceeded'],
  server: ['application_error', 'internal_server_error'],
} as const;

/** Response headers the mailer reads for throttling (IETF RateLimit draft 6, plus Retry-After). */
export const RateLimitHeaders = {
  limit: 'ratelimit-limit',
  remaining: 'ratelimit-remaining',
  reset: 'ratelimit-reset',
  retryAfter: 'retry-after',
} as const;
