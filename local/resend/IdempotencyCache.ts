import { ResendApiError } from './errors';
import type { StoredAnswer } from './types';

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
