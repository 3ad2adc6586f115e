import { setTimeout as sleepFor } from 'node:timers/promises';
import { classifyError } from '../errors';
import { computeDelay } from './computeDelay';
import type { BackoffOptions } from './computeDelay';
import { RetriesExhaustedError } from './errors';

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
