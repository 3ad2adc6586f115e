// The error base of the project: every error says whether it is worth retrying (transient) or not
// (permanent), and foreign errors (SDKs, the network) are judged by status, code and name.
import { readField } from './values.ts';

/** Whether an error is worth retrying: transient errors are retried, permanent ones are parked. */
export type ErrorKind = 'transient' | 'permanent';

/** Options every project error accepts: a machine-readable code, context for the reader, the cause. */
export interface VectorSyncErrorOptions {
  readonly code?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** Base class of every error the project throws on purpose. */
export abstract class VectorSyncError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? new.target.name;
    this.details = options.details ?? {};
  }

  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/** A failure that may succeed later (throttling, 5xx, network, a lock held elsewhere). */
export class TransientError extends VectorSyncError {
  readonly kind = 'transient' as const;
}

/** A failure that will fail the same way every time (bad input, a broken contract). */
export class PermanentError extends VectorSyncError {
  readonly kind = 'permanent' as const;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const TRANSIENT_NAMES = new Set(['TimeoutError', 'AbortError', 'ThrottlingError', 'ServerError', 'FetchError']);


function statusOf(error: unknown): number | undefined {
  for (const key of ['statusCode', 'status', 'httpStatusCode']) {
    const value = readField(error, key);
    if (typeof value === 'number') return value;
  }
  const response = readField(error, 'response');
  const nested = readField(response, 'status');
  return typeof nested === 'number' ? nested : undefined;
}

/**
 * Says whether an error is worth retrying. Our own errors carry their kind; errors from SDKs and
 * the network are judged by status, code and name. Anything unknown counts as transient, so a bug
 * ends up in EventBridge's retries and dead letter rather than silently parked.
 */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof VectorSyncError) return error.kind;
  const code = readField(error, 'code');
  // Alibaba OpenAPI (ECS among them) answers throttling with HTTP 400: the code decides first.
  if (typeof code === 'string' && (TRANSIENT_NETWORK_CODES.has(code) || code.includes('Throttling'))) return 'transient';
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 408 || status === 429 || status >= 500) return 'transient';
    if (status >= 400) return 'permanent';
  }
  const name = readField(error, 'name');
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return 'transient';
  return 'transient';
}

/** A short, log-safe description of any thrown value. */
export function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = readField(error, 'code');
    return typeof code === 'string'
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message };
  }
  return { name: 'NonError', message: String(error) };
}
