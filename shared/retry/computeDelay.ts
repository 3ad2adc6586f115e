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
