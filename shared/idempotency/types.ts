/** What a claim on a key found. */
export type ClaimResult =
  | { readonly state: 'claimed' }
  | { readonly state: 'in_progress'; readonly expiresAt: number }
  | { readonly state: 'completed'; readonly result: unknown };

/**
 * Persistence of idempotency records by key (the event id). `claim` must be atomic: two
 * concurrent claims of one key may not both get `claimed`.
 */
export interface IdempotencyStore {
  /** Claims `key` for `lockMs`; an expired claim (a crashed invocation) can be claimed again. */
  claim(key: string, lockMs: number): Promise<ClaimResult>;
  /** Records the result of a claimed key, kept for `ttlMs`. */
  complete(key: string, result: unknown, ttlMs: number): Promise<void>;
  /** Drops a claim after a failure so that a retry can run. */
  release(key: string): Promise<void>;
}
