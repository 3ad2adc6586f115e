import { ResendEmulatorLimits } from './constants';
import type { RateState } from './types';

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
