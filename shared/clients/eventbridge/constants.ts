/** PutEvents limits, the stricter of the documented figures (reference section 1.4). */
export const PutEventsLimits = {
  maxEventsPerRequest: 16,
  maxRequestBytes: 256 * 1024,
  maxEventBytes: 64 * 1024,
} as const;

/** The publisher's default retry settings for throttling, 5xx, dropped connections and failed entries. */
export const PublishRetryDefaults = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  jitter: 'full',
} as const;

/** Entry error codes that will fail again on a resend; every other entry error is resent. */
export const PERMANENT_ENTRY_CODES: ReadonlySet<string> = new Set(['EventTooLarge', 'InvalidArgument', 'EventBusNotExist']);

/**
 * Request error codes worth another attempt. The SDK's error carries the body's `code`, not the
 * HTTP status, so throttling and server trouble are recognised by code.
 */
export const TRANSIENT_REQUEST_CODE = /Throttl|Internal|Unavailable|Busy|Timeout|TooManyRequests|Flow/iu;

/** Where the SDK's generic JSON content type starts; data in any other type travels as base64. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
