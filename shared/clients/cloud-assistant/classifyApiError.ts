import { classifyError, describeError } from '../../errors';
import { INSTANCE_UNAVAILABLE_CODES, TRANSIENT_API_CODES } from './constants';
import { CloudAssistantRequestError, CloudAssistantUnavailableError, InstanceUnavailableError } from './errors';

function readField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  const field = readField(value, key);
  return typeof field === 'string' && field !== '' && field !== 'undefined' ? field : undefined;
}

/**
 * The SDK reads `x-acs-retry-after` as a bare integer whose unit is undocumented; its own retry
 * policy treats it as milliseconds, and so does this client.
 */
function retryAfterOf(error: unknown): number | undefined {
  const value = readField(error, 'retryAfter');
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Wraps what the SDK threw. Throttling (any status: ECS answers it with 400), 5xx and network
 * failures are transient; an instance the API refuses is an InstanceUnavailableError; every
 * other answered error is permanent.
 */
export function classifyApiError(
  error: unknown,
  operation: string,
  instanceIds: readonly string[] = [],
): CloudAssistantRequestError | CloudAssistantUnavailableError | InstanceUnavailableError {
  const { message } = describeError(error);
  const code = readString(error, 'code');
  const statusCode = readField(error, 'statusCode');
  const context = {
    code: code ?? 'NetworkError',
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(readString(error, 'requestId') ? { requestId: readString(error, 'requestId') } : {}),
    cause: error,
  };
  const text = `${operation} failed: ${message}`;
  const answered = typeof statusCode === 'number' && code !== undefined;
  if (!answered) {
    // A connection failure, a timeout, or an error body that is not JSON (a proxy's HTML page).
    return classifyError(error) === 'transient' ? new CloudAssistantUnavailableError(text, context) : new CloudAssistantRequestError(text, context);
  }
  if (code.includes('Throttling') || statusCode >= 500 || TRANSIENT_API_CODES.has(code)) {
    const retryAfterMs = retryAfterOf(error);
    return new CloudAssistantUnavailableError(text, { ...context, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (INSTANCE_UNAVAILABLE_CODES.has(code)) return new InstanceUnavailableError(text, instanceIds, context);
  return new CloudAssistantRequestError(text, context);
}
