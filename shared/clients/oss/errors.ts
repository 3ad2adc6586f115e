import { PermanentError, TransientError, VectorSyncError, describeError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';
import { readField } from '../../values';

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


/**
 * Turns what ali-oss threw into a typed error. ali-oss puts the HTTP status in `status` (-1 for a
 * network error, -2 for a timeout) and OSS's XML `Code` in `code`; a network error has no XML.
 */
export function classifyOssError(error: unknown, operation: string, key: string): VectorSyncError {
  if (error instanceof VectorSyncError) return error;
  const { message } = describeError(error);
  const status = readField(error, 'status');
  const rawCode = readField(error, 'code');
  const code = typeof rawCode === 'string' && rawCode !== '' ? rawCode : undefined;
  const requestId = readField(error, 'requestId');
  const details = { operation, key, status, ...(typeof requestId === 'string' ? { requestId } : {}) };
  const text = `${operation} ${key} failed: ${message}`;
  if (typeof status !== 'number' || status < 0) return new OssUnavailableError(text, { code: code ?? 'NetworkError', details, cause: error });
  if (status === 404) return new OssNotFoundError(text, key, { code: code ?? 'NoSuchKey', details, cause: error });
  if (status === 403) return new OssAccessDeniedError(text, { code: code ?? 'AccessDenied', details, cause: error });
  if (status === 408 || status === 429 || status >= 500) return new OssUnavailableError(text, { code: code ?? `Http${status}`, details, cause: error });
  return new OssRequestError(text, { code: code ?? `Http${status}`, details, cause: error });
}
