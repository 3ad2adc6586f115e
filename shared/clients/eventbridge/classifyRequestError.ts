import { classifyError, describeError } from '../../errors';
import { TRANSIENT_REQUEST_CODE } from './constants';
import { EventBridgeRequestError, EventBridgeUnavailableError } from './errors';

function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Wraps an error the SDK threw for a whole request. The SDK's error for a 4xx/5xx answer has the
 * body's `code` and `data` (but no status); network errors have Node's codes.
 */
export function classifyRequestError(error: unknown, operation: string): EventBridgeRequestError | EventBridgeUnavailableError {
  const { message } = describeError(error);
  const code = readField(error, 'code');
  const answered = readField(error, 'data') !== undefined && typeof code === 'string';
  if (answered) {
    const Kind = TRANSIENT_REQUEST_CODE.test(code) ? EventBridgeUnavailableError : EventBridgeRequestError;
    return new Kind(`${operation} failed: ${message}`, { code, cause: error });
  }
  const Kind = classifyError(error) === 'transient' ? EventBridgeUnavailableError : EventBridgeRequestError;
  return new Kind(`${operation} failed: ${message}`, { code: typeof code === 'string' ? code : 'NetworkError', cause: error });
}
