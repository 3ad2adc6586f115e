import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncError, VectorSyncErrorOptions } from '../../errors';
import type { OssAnswer } from './sdk';

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


/** One element of OSS's flat XML error body. */
function xmlField(xml: string, name: string): string | undefined {
  const value = new RegExp(`<${name}>([^<]*)</${name}>`, 'u').exec(xml)?.[1];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Turns a failed answer into a typed error, with OSS's `Code` and `RequestId` from its XML body,
 * or for a HEAD (which has no body) from the same XML base64-coded in `x-oss-err`; without either
 * a 404 reads as NoSuchKey. 404 and 403 are permanent; 408, 429 and 5xx are worth another
 * attempt; any other 4xx is permanent.
 */
export function answerError(answer: OssAnswer, operation: string, key: string): VectorSyncError {
  const encoded = answer.headers['x-oss-err'];
  const xml = answer.body.length > 0 || typeof encoded !== 'string' ? answer.body.toString('utf8') : Buffer.from(encoded, 'base64').toString('utf8');
  const code = xmlField(xml, 'Code');
  const header = answer.headers['x-oss-request-id'];
  const requestId = xmlField(xml, 'RequestId') ?? (typeof header === 'string' ? header : undefined);
  const { status } = answer;
  const details = { operation, key, status, ...(requestId === undefined ? {} : { requestId }) };
  const text = `${operation} ${key} failed: ${xmlField(xml, 'Message') ?? `status ${status}`}`;
  if (status === 404) return new OssNotFoundError(text, key, { code: code ?? 'NoSuchKey', details });
  if (status === 403) return new OssAccessDeniedError(text, { code: code ?? 'AccessDenied', details });
  if (status === 408 || status === 429 || status >= 500) return new OssUnavailableError(text, { code: code ?? `Http${status}`, details });
  return new OssRequestError(text, { code: code ?? `Http${status}`, details });
}
