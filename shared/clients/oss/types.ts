import type { BackoffOptions } from '../../retry';

/**
 * Where and as whom to talk to OSS. Only `endpoint` and the credentials differ between the cloud
 * and the local emulator.
 */
export interface OssClientConfig {
  /** Region, bare (`cn-hangzhou`) or with the `oss-` prefix of OSS host names (`oss-cn-hangzhou`). */
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, e.g. from the FC context or the instance RAM role. */
  readonly securityToken?: string;
  /**
   * Omit for the public OSS domain of the region (https). Otherwise a URL such as
   * `https://oss-cn-hangzhou-internal.aliyuncs.com` or the emulator's `http://localhost:<port>`.
   * Not an IP address, which cannot carry the bucket in its name.
   */
  readonly endpoint?: string;
  /** Bucket in the path (`/<bucket>/<key>`); default: on for a `localhost` endpoint, else off. */
  readonly pathStyle?: boolean;
  /** Per-request timeout; default 60 s. */
  readonly timeoutMs?: number;
  /** Retry of throttling, 5xx and network failures. */
  readonly retry?: Partial<RetrySettings>;
}

/** How transient failures are retried. */
export interface RetrySettings extends BackoffOptions {
  readonly maxAttempts: number;
}

/** What to store beside the bytes. */
export interface PutObjectOptions {
  readonly contentType?: string;
  /** User metadata, sent as `x-oss-meta-<name>`; names are lower-cased by OSS. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** An object's metadata as HeadObject reports it. */
export interface ObjectInfo {
  readonly key: string;
  readonly contentType: string | undefined;
  readonly contentLength: number | undefined;
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
  readonly meta: Readonly<Record<string, string>>;
}

/** HeadObject's answer: absent, or present with its metadata. */
export type ObjectHead = { readonly exists: false; readonly key: string } | ({ readonly exists: true } & ObjectInfo);

/** A downloaded object. */
export interface ObjectContent extends ObjectInfo {
  readonly body: Buffer;
}

/** A stored object's key and ETag. */
export interface PutObjectResult {
  readonly key: string;
  readonly etag: string | undefined;
}

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
