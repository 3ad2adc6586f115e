import { PermanentError, TransientError, classifyError, describeError } from '../../errors.ts';
import type { VectorSyncErrorOptions } from '../../errors.ts';
import { TRANSIENT_REQUEST_CODE } from './batches.ts';
import { readField } from '../../values.ts';

/** An event is larger than EventBridge takes (64 KB); sending it again would fail the same way. */
export class EventTooLargeError extends PermanentError {
  readonly eventId: string;
  readonly bytes: number;

  constructor(eventId: string, bytes: number, limit: number, options: VectorSyncErrorOptions = {}) {
    super(`event ${eventId} is ${bytes} bytes; EventBridge takes at most ${limit} bytes per event`, {
      code: 'EventTooLarge',
      ...options,
      details: { eventId, bytes, limit },
    });
    this.eventId = eventId;
    this.bytes = bytes;
  }
}

/** The client settings are unusable (no endpoint, no credentials). */
export class EventBridgeConfigError extends PermanentError {}

/** PutEvents failed as a whole (throttling, 5xx, a dropped connection) and retries ran out. */
export class EventBridgeUnavailableError extends TransientError {}

/** EventBridge refused the request (bad signature, unknown bus, bad request): resending will not help. */
export class EventBridgeRequestError extends PermanentError {}

/** EventBridge took the request but refused this one entry. */
export class EventEntryError extends TransientError {
  readonly eventId: string;
  readonly errorCode: string;

  constructor(eventId: string, errorCode: string, errorMessage: string, options: VectorSyncErrorOptions = {}) {
    super(`event ${eventId} was refused: ${errorCode} ${errorMessage}`.trim(), { code: errorCode, ...options, details: { eventId, errorCode } });
    this.eventId = eventId;
    this.errorCode = errorCode;
  }
}

/** EventBridge refused an entry with a code that will not change on a resend. */
export class PermanentEventEntryError extends PermanentError {
  readonly eventId: string;
  readonly errorCode: string;

  constructor(eventId: string, errorCode: string, errorMessage: string, options: VectorSyncErrorOptions = {}) {
    super(`event ${eventId} was refused: ${errorCode} ${errorMessage}`.trim(), { code: errorCode, ...options, details: { eventId, errorCode } });
    this.eventId = eventId;
    this.errorCode = errorCode;
  }
}

/** A control-plane answer did not have the documented shape. */
export class EventBridgeResponseError extends PermanentError {}

/** An event cannot be turned into JSON (e.g. it holds a BigInt or a cycle). */
export class InvalidEventError extends PermanentError {}


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
