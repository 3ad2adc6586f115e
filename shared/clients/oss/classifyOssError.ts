import { VectorSyncError, describeError } from '../../errors';
import { OssAccessDeniedError, OssNotFoundError, OssRequestError, OssUnavailableError } from './errors';

function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

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
