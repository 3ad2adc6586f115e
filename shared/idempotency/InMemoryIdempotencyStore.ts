import type { ClaimResult, IdempotencyStore } from './types';

type Entry = { state: 'in_progress'; expiresAt: number } | { state: 'completed'; result: unknown; expiresAt: number };

/** An IdempotencyStore in a Map: for tests and single-instance local use. */
export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, lockMs: number): Promise<ClaimResult> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) {
      return entry.state === 'completed'
        ? { state: 'completed', result: entry.result }
        : { state: 'in_progress', expiresAt: entry.expiresAt };
    }
    this.entries.set(key, { state: 'in_progress', expiresAt: now + lockMs });
    return { state: 'claimed' };
  }

  async complete(key: string, result: unknown, ttlMs: number): Promise<void> {
    this.entries.set(key, { state: 'completed', result, expiresAt: this.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state === 'in_progress') this.entries.delete(key);
  }

  /** Number of live records (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
