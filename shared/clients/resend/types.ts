import type { BackoffOptions } from '../../retry';

/** Where and as whom to talk to Resend; only `baseUrl` differs between the cloud and the emulator. */
export interface MailerConfig {
  readonly apiKey: string;
  /** Default `https://api.resend.com`; the emulator's `http://127.0.0.1:<port>` locally. */
  readonly baseUrl?: string;
  readonly retry?: Partial<MailerRetrySettings>;
}

/** How retryable failures are retried. */
export interface MailerRetrySettings extends BackoffOptions {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** Upper bound on a server-requested wait (`retry-after`, `ratelimit-reset`). */
  readonly maxRetryAfterMs: number;
}

/** A tag Resend stores with the message: ASCII letters, digits, `_` and `-`. */
export interface MailTag {
  readonly name: string;
  readonly value: string;
}

/** The body of a message: HTML, plain text, or both. */
export type MailBody = { readonly html: string; readonly text?: string } | { readonly html?: string; readonly text: string };

/** One e-mail to send. */
export type MailMessage = MailBody & {
  /** `a@b.com` or `Name <a@b.com>`, on a domain verified in Resend. */
  readonly from: string;
  /** At most 50 recipients. */
  readonly to: string | readonly string[];
  readonly subject: string;
  readonly tags?: readonly MailTag[];
};

/** Per-send options. */
export interface SendOptions {
  /** Same key + same message within 24 h: Resend answers the first id and sends nothing. */
  readonly idempotencyKey: string;
  readonly signal?: AbortSignal;
}

/** What Resend answered for an accepted message. */
export interface SentMail {
  readonly id: string;
}

/** Throttling state read from a response's headers; undefined where a header is absent. */
export interface RateLimitInfo {
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  /** Until the window resets. */
  readonly resetMs: number | undefined;
  /** What `retry-after` asks for. */
  readonly retryAfterMs: number | undefined;
}

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
} as const;

/** Response headers the mailer reads for throttling (IETF RateLimit draft 6, plus Retry-After). */
export const RateLimitHeaders = {
  limit: 'ratelimit-limit',
  remaining: 'ratelimit-remaining',
  reset: 'ratelimit-reset',
  retryAfter: 'retry-after',
} as const;
