// The write quota of an OSS Vectors index is per index (INDEX_WRITE_QPS calls and
// INDEX_WRITE_VECTORS_PER_SECOND vectors a second, PutVectors and DeleteVectors together), and each
// chunk is its own worker process with its own bucket per index. So that chunks of one index
// running at once stay under the quota together instead of multiplying it, each takes an even
// share of both rates: the quota divided by the chunks of its logical index running now, read from
// the ledger and read again every second while it writes. A chunk that has finished writing (it
// may still run its validation query) marks it and no longer counts.
import type { WriteRates } from '../shared/clients/oss-vectors';
import { describeError } from '../shared/errors';
import type { Logger } from '../shared/logging';
import type { WorkerContext } from './context';

/** How often a writing chunk reads again how many chunks share its index's quota. */
export const WRITE_SHARE_REFRESH_MS = 1_000;

/** One writer's share of a rate: the rate split evenly, at least one writer. */
export function writeShare(quotaPerSecond: number, writers: number): number {
  return quotaPerSecond / Math.max(1, writers);
}

/** One writer's share of both rates of an index's write quota. */
export function writeRatesShare(quota: WriteRates, writers: number): WriteRates {
  return { requestsPerSecond: writeShare(quota.requestsPerSecond, writers), vectorsPerSecond: writeShare(quota.vectorsPerSecond, writers) };
}

/** What a share needs: the quota, how to count the writers and how to apply the rates. */
export interface WriteQuotaShareOptions {
  /** The index's write quota (INDEX_WRITE_QPS, INDEX_WRITE_VECTORS_PER_SECOND). */
  readonly quota: WriteRates;
  /** How many chunks write into the index now, this one included (a ledger query). */
  readonly writers: () => Promise<number>;
  /** Puts rates into force (the OSS Vectors client's write buckets). */
  readonly apply: (rates: WriteRates) => void;
  readonly refreshMs?: number;
  readonly now?: () => number;
  readonly log?: Logger;
}

/**
 * A chunk's share of its index's write quota. `refresh()` before each write call: the first call
 * reads the writers and applies the share (a failure there is thrown: the chunk must not write at
 * a rate it does not know); later calls read again once `refreshMs` has passed, and a failed read
 * keeps the share in force. Calls that arrive while a read is under way wait for that read.
 */
export class WriteQuotaShare {
  private current: WriteRates | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<WriteRates> | undefined;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WriteQuotaShareOptions) {
    this.refreshMs = options.refreshMs ?? WRITE_SHARE_REFRESH_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** The share in force (undefined before the first refresh). */
  get rates(): WriteRates | undefined {
    return this.current;
  }

  /** Reads the writers again when the last read is `refreshMs` old, applies the share and answers it. */
  refresh(): Promise<WriteRates> {
    if (this.reading) return this.reading;
    const now = this.now();
    if (this.current !== undefined && now - this.readAt < this.refreshMs) return Promise.resolve(this.current);
    this.readAt = now;
    this.reading = this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<WriteRates> {
    let writers: number;
    try {
      writers = await this.options.writers();
    } catch (error) {
      if (this.current === undefined) throw error;
      this.options.log?.warn('reading the writers of the index failed; the share in force stays', { ...this.current, error: describeError(error) });
      return this.current;
    }
    const rates = writeRatesShare(this.options.quota, writers);
    if (rates.requestsPerSecond !== this.current?.requestsPerSecond || rates.vectorsPerSecond !== this.current.vectorsPerSecond) {
      this.options.apply(rates);
      this.options.log?.debug('write quota share', { writers, ...rates, quota: this.options.quota });
      this.current = rates;
    }
    return rates;
  }
}

/** The share of a chunk writing into a generation of `logicalName`, applied to the worker's OSS Vectors client. */
export function writeQuotaFor(worker: Pick<WorkerContext, 'config' | 'ledger' | 'oss' | 'log'>, logicalName: string): WriteQuotaShare {
  return new WriteQuotaShare({
    quota: { requestsPerSecond: worker.config.INDEX_WRITE_QPS, vectorsPerSecond: worker.config.INDEX_WRITE_VECTORS_PER_SECOND },
    writers: () => worker.ledger.writersOf(logicalName),
    apply: (rates) => worker.oss.setWriteRates(rates),
    log: worker.log,
  });
}
