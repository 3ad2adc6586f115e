import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';

// What decides whether a request runs at all: Resend's per-team rate window and its idempotency keys.

/** The state of one rate window after a request was counted. */
export interface RateState {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

/**
 * Resend's per-team limit as a fixed one-second window: the first `limit` requests of a window
 * pass, the rest are refused until it resets. Reset and retry-after are whole seconds, as Resend
 * sends them.
 */
export class RateWindow {
  private start = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request and says whether it may pass. */
  take(): RateState {
    this.roll();
    const allowed = this.used < this.limit;
    if (allowed) this.used += 1;
    return { ...this.peek(), allowed };
  }

  /** The current state without counting a request. */
  peek(): RateState {
    this.roll();
    const left = this.start + ResendEmulatorLimits.rateWindowMs - this.now();
    return { allowed: this.used < this.limit, limit: this.limit, remaining: Math.max(0, this.limit - this.used), resetSeconds: Math.max(1, Math.ceil(left / 1000)) };
  }

  private roll(): void {
    const now = this.now();
    if (now - this.start >= ResendEmulatorLimits.rateWindowMs) {
      this.start = now;
      this.used = 0;
    }
  }
}

/** The IETF draft-6 headers Resend sends on every answer, plus `retry-after` on a refusal. */
export function rateHeaders(state: RateState): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(state.resetSeconds),
  };
  if (!state.allowed) headers['retry-after'] = String(state.resetSeconds);
  return headers;
}

/** An answer kept for an idempotency key: replayed as is. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: object;
}

interface Entry {
  readonly fingerprint: string;
  readonly expiresAt: number;
  answer: StoredAnswer | undefined;
}

/** What to do with a request that carries a key. */
export type IdempotencyDecision = { readonly kind: 'replay'; readonly answer: StoredAnswer } | { readonly kind: 'run' };

/**
 * Idempotency keys per endpoint, remembered for 24 h. A key is claimed while its first request
 * runs (a second one then gets 409 `concurrent_idempotent_requests`); a success is kept and
 * replayed; a refusal releases the key, so a corrected request may use it again.
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Claims `key` for a request with this fingerprint, or says to replay the stored answer. */
  begin(scope: string, key: string, fingerprint: string): IdempotencyDecision {
    const id = `${scope} ${key}`;
    const entry = this.entries.get(id);
    if (entry && entry.expiresAt > this.now()) {
      if (entry.fingerprint !== fingerprint) {
        throw new ResendApiError('invalid_idempotent_request', 'Same idempotency key used with a different request payload. Change your idempotency key or payload.');
      }
      if (!entry.answer) {
        throw new ResendApiError('concurrent_idempotent_requests', 'Same idempotency key used while original request is still in progress. Try the request again later.');
      }
      return { kind: 'replay', answer: entry.answer };
    }
    this.entries.set(id, { fingerprint, expiresAt: this.now() + this.ttlMs, answer: undefined });
    return { kind: 'run' };
  }

  /** Keeps the answer of a claimed key. */
  complete(scope: string, key: string, answer: StoredAnswer): void {
    const entry = this.entries.get(`${scope} ${key}`);
    if (entry) entry.answer = answer;
  }

  /** Releases a claimed key after a refusal or a crash. */
  release(scope: string, key: string): void {
    const id = `${scope} ${key}`;
    if (this.entries.get(id)?.answer === undefined) this.entries.delete(id);
  }
}
