import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';

/** The OSS client settings are unusable (empty key, an IP endpoint, a bad expiry). */
export class OssConfigError extends PermanentError {}

/** OSS refused the caller (403: bad signature, unknown key, expired token, no permission). */
export class OssAccessDeniedError extends PermanentError {
  readonly status = 403;
}

/** The key or the bucket does not exist (404 NoSuchKey / NoSuchBucket). */
export class OssNotFoundError extends PermanentError {
  readonly status = 404;
  readonly key: string;

  constructor(message: string, key: string, options: VectorSyncErrorOptions = {}) {
    super(message, { ...options, details: { ...options.details, key } });
    this.key = key;
  }
}

/** OSS refused the request for another reason a resend will not change (4xx). */
export class OssRequestError extends PermanentError {}

/** OSS or the network failed in a way that may pass (5xx, 429, timeout, dropped connection). */
export class OssUnavailableError extends TransientError {}
