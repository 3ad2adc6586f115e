// Retrying with capped exponential backoff and jitter, honouring a server's Retry-After.
import { setTimeout as sleepFor } from 'node:timers/promises';
import { TransientError, classifyError } from './errors.ts';

/** How delays between attempts grow. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  readonly baseDelayMs: number;
  /** No computed delay exceeds this. */
  readonly maxDelayMs: number;
  /** `full`: uniform in [0, delay]; `equal`: delay/2 plus uniform in [0, delay/2]; `none`. */
  readonly jitter?: 'full' | 'equal' | 'none';
}

/**
 * Delay before retry number `attempt` (1 for the first retry): capped exponential backoff with
 * jitter. A server's Retry-After wins when it asks for longer, still capped by `maxRetryAfterMs`.
 */
export function computeDelay(
  attempt: number,
  options: BackoffOptions,
  retryAfterMs?: number,
  maxRetryAfterMs: number = options.maxDelayMs * 4,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = options.jitter ?? 'full';
  const jittered =
    jitter === 'none' ? exponential : jitter === 'equal' ? exponential / 2 + random() * (exponential / 2) : random() * exponential;
  const delay = retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, maxRetryAfterMs));
  return Math.round(delay);
}

/**
 * Reads an HTTP `Retry-After` value (delay-seconds or an HTTP date) as milliseconds from `now`.
 * Returns undefined for an absent or unreadable value.
 */
export function parseRetryAfter(value: string | number | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/u.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Every attempt failed with a retryable error; keeps the last one as the cause. */
export class RetriesExhaustedError extends TransientError {
  readonly attempts: number;

  constructor(operation: string, attempts: number, cause: unknown) {
    const last = cause instanceof Error ? cause.message : String(cause);
    super(`${operation} failed after ${attempts} attempts: ${last}`, {
      code: 'RetriesExhausted',
      details: { operation, attempts },
      cause,
    });
    this.attempts = attempts;
  }
}

/** Settings of one retried operation. */
export interface RetryOptions extends BackoffOptions {
  /** Name used in errors and logs. */
  readonly operation: string;
  /** Total attempts including the first; at least 1. */
  readonly maxAttempts: number;
  /** Whether an error is worth another attempt; default: classifyError says transient. */
  readonly isRetryable?: (error: unknown) => boolean;
  /** A server-requested delay in ms (e.g. from Retry-After), if the error carries one. */
  readonly retryAfterMs?: (error: unknown) => number | undefined;
  /** Upper bound on a server-requested delay. */
  readonly maxRetryAfterMs?: number;
  /** Called before each wait, e.g. to log. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, signal ? { signal } : undefined);
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, or `maxAttempts` is reached; waits
 * with capped exponential backoff and jitter in between, honouring server-requested delays.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetryable = options.isRetryable ?? ((error: unknown) => classifyError(error) === 'transient');
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= maxAttempts) throw new RetriesExhaustedError(options.operation, attempt, error);
      const delayMs = computeDelay(attempt, options, options.retryAfterMs?.(error), options.maxRetryAfterMs, options.random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}
