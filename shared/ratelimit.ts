import { setTimeout as sleepFor } from 'node:timers/promises';

/** Settings of a token bucket. */
export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** Most tokens held at once (the burst); default: one second's worth, at least 1. */
  readonly capacity?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A rate a token bucket can run at: positive and finite. */
function checkedRate(ratePerSecond: number): number {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`token bucket rate ${String(ratePerSecond)} is not a positive number`);
  }
  return ratePerSecond;
}

/**
 * A token bucket: `take` waits until enough tokens are there, `tryTake` answers at once. Waiters
 * are served in arrival order, so one large request cannot be starved by a stream of small ones.
 * The rate can change while the bucket is in use (`setRate`); the capacity stays as built.
 */
export class TokenBucket {
  readonly capacity: number;
  private rate: number;
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: TokenBucketOptions) {
    this.rate = checkedRate(options.ratePerSecond);
    this.capacity = Math.max(1, options.capacity ?? options.ratePerSecond);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms).then(() => undefined));
    this.tokens = this.capacity;
    this.last = this.now();
  }

  /** Tokens added per second now. */
  get ratePerSecond(): number {
    return this.rate;
  }

  /**
   * Runs at `ratePerSecond` from now on: the tokens gathered so far at the old rate are kept, and a
   * waiter recomputes its wait at the new rate when it next wakes.
   */
  setRate(ratePerSecond: number): void {
    const rate = checkedRate(ratePerSecond);
    this.refill();
    this.rate = rate;
  }

  /** Takes `count` tokens if they are there now; never waits. */
  tryTake(count = 1): boolean {
    this.refill();
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Milliseconds until `count` tokens will be there (0 when they are). */
  waitTimeMs(count = 1): number {
    this.refill();
    return this.tokens >= count ? 0 : ((count - this.tokens) / this.rate) * 1000;
  }

  /** Waits for `count` tokens (at most the capacity) and takes them. */
  take(count = 1): Promise<void> {
    const wanted = Math.min(count, this.capacity);
    const turn = this.queue.then(() => this.waitFor(wanted));
    // The chain must survive a rejected sleep, or every later caller would fail too.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitFor(count: number): Promise<void> {
    for (let wait = this.waitTimeMs(count); wait > 0; wait = this.waitTimeMs(count)) await this.sleep(Math.ceil(wait));
    this.tokens -= count;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
