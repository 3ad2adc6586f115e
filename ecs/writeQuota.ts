// The write quota of an OSS Vectors index is per index (PUT_VECTORS_QPS: about 5 PutVectors of 500
// vectors a second), and each chunk is its own worker process with its own token bucket. So that
// chunks of one index running at once stay under the quota together instead of multiplying it, each
// takes an even share: the quota divided by the chunks of its logical index running now, read from
// the ledger and read again every few seconds while it writes.
import { describeError } from '../shared/errors';
import type { Logger } from '../shared/logging';
import type { WorkerContext } from './context';

/** How often a writing chunk reads again how many chunks share its index's quota. */
export const WRITE_SHARE_REFRESH_MS = 5_000;

/** One writer's share of an index's quota (calls per second): the quota split evenly, at least one writer. */
export function writeShare(quotaPerSecond: number, writers: number): number {
  return quotaPerSecond / Math.max(1, writers);
}

/** What a share needs: the quota, how to count the writers and how to apply a rate. */
export interface WriteQuotaShareOptions {
  /** The index's write quota in PutVectors calls per second (PUT_VECTORS_QPS). */
  readonly quotaPerSecond: number;
  /** How many chunks write into the index now, this one included (a ledger query). */
  readonly writers: () => Promise<number>;
  /** Puts a rate into force (the OSS Vectors client's PutVectors bucket). */
  readonly apply: (callsPerSecond: number) => void;
  readonly refreshMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

/**
 * A chunk's share of its index's write quota. `refresh()` before each PutVectors: the first call
 * reads the writers and applies the share (a failure there is thrown: the chunk must not write at
 * a rate it does not know); later calls read again once `refreshMs` has passed, and a failed read
 * keeps the share in force.
 */
export class WriteQuotaShare {
  private rate: number | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WriteQuotaShareOptions) {
    this.refreshMs = options.refreshMs ?? WRITE_SHARE_REFRESH_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** The share in force, in calls per second (undefined before the first refresh). */
  get callsPerSecond(): number | undefined {
    return this.rate;
  }

  /** Reads the writers again when the last read is `refreshMs` old, applies the share and answers it. */
  async refresh(): Promise<number> {
    const now = this.now();
    if (this.rate !== undefined && now - this.readAt < this.refreshMs) return this.rate;
    this.readAt = now;
    let writers: number;
    try {
      writers = await this.options.writers();
    } catch (error) {
      if (this.rate === undefined) throw error;
      this.options.log?.warn('reading the writers of the index failed; the share in force stays', { callsPerSecond: this.rate, error: describeError(error) });
      return this.rate;
    }
    const rate = writeShare(this.options.quotaPerSecond, writers);
    if (rate !== this.rate) {
      this.options.apply(rate);
      this.options.log?.debug('write quota share', { writers, callsPerSecond: rate, quotaPerSecond: this.options.quotaPerSecond });
      this.rate = rate;
    }
    return rate;
  }
}

/** The share of a chunk writing into a generation of `logicalName`, applied to the worker's OSS Vectors client. */
export function writeQuotaFor(worker: Pick<WorkerContext, 'config' | 'ledger' | 'oss' | 'log'>, logicalName: string): WriteQuotaShare {
  return new WriteQuotaShare({
    quotaPerSecond: worker.config.PUT_VECTORS_QPS,
    writers: () => worker.ledger.writersOf(logicalName),
    apply: (callsPerSecond) => worker.oss.setPutVectorsRate(callsPerSecond),
    log: worker.log,
  });
}
