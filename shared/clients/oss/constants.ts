/** Default retry of transient OSS failures (5xx, 429, dropped connections). */
export const OssRetryDefaults = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  jitter: 'full',
} as const;

/** Bounds OSS puts on a V4 presigned URL's lifetime, in seconds (1 s to 7 days). */
export const PresignLimits = {
  minExpiresSeconds: 1,
  maxExpiresSeconds: 604_800,
} as const;

/** Metadata names the product writes. */
export const ObjectMeta = {
  /** Hex SHA-256 of the worker bundle, checked by the ECS script after download. */
  sha256: 'sha256',
} as const;

/** Content types of what the product stores. */
export const ContentTypes = {
  workerBundle: 'application/gzip',
  reportArchive: 'text/html; charset=utf-8',
} as const;
