// The write quota of one OSS Vectors index as the client keeps it: PutVectors and DeleteVectors
// together take at most so many calls and so many vectors a second (deleted keys count as vectors).
import { setTimeout as sleepFor } from 'node:timers/promises';

/** An index's write quota, or a writer's share of it. */
export interface WriteRates {
  /** PutVectors + DeleteVectors calls per second. */
  readonly requestsPerSecond: number;
  /** Vectors written plus keys deleted per second. */
  readonly vectorsPerSecond: number;
}

/** Write calls a client made (every attempt, retries included) and how many were answered 429. */
export interface WriteStats {
  readonly calls: number;
  readonly throttled: number;
}

/** Settings of a bucket; the clock and the sleep are for tests. */
export interface IndexWriteBucketOptions {
  readonly rates: WriteRates;
  /**
   * Headroom against arrival jitter: a second's quota is spread over 1,000 + marginMs ms, so calls
   * that reach the server up to marginMs late or early (network, a busy server) still never put
   * more than the quota in any one second there. Default 0.
   */
  readonly marginMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The span the server measures its quota over. */
const SECOND_MS = 1000;

/** A call that started within the last window. */
interface Started {
  readonly at: number;
  readonly vectors: number;
}

function checkedRates(rates: WriteRates): WriteRates {
  for (const [name, value] of Object.entries(rates)) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new RangeError(`write rate ${name} ${String(value)} is not a positive number`);
  }
  return { requestsPerSecond: rates.requestsPerSecond, vectorsPerSecond: rates.vectorsPerSecond };
}

/**
 * One token bucket for an index's requests and vectors together: a call of N vectors takes one
 * request and N vectors. Calls are paced evenly, never in bursts: after a call of N vectors the
 * next one waits 1/requestsPerSecond or N/vectorsPerSecond of a second, whichever is longer. On
 * top of that pacing, the calls that started within the last second never hold more than
 * vectorsPerSecond vectors (a call bigger than that goes alone), so a server that counts a sliding
 * one-second window sees no more than the quota from this client whatever the call sizes. With a
 * margin, "a second" is 1,000 + marginMs ms here. A 429 holds every caller off for the delay the
 * server asked (`holdOff`). Callers are served in arrival order.
 */
export class IndexWriteBucket {
  private current: WriteRates;
  private readonly started: Started[] = [];
  private startedVectors = 0;
  private last: Started | undefined;
  private resumeAt = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();
  /** The span a second's quota is spread over here. */
  private readonly spanMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: IndexWriteBucketOptions) {
    this.current = checkedRates(options.rates);
    this.spanMs = SECOND_MS + Math.max(0, options.marginMs ?? 0);
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms).then(() => undefined));
  }

  /** The rates in force. */
  get rates(): WriteRates {
    return this.current;
  }

  /** Runs at these rates from now on; a caller already waiting recomputes its wait when it wakes. */
  setRates(rates: WriteRates): void {
    this.current = checkedRates(rates);
  }

  /** No call starts within `ms` from now (a 429's Retry-After, or the backoff after one). */
  holdOff(ms: number): void {
    if (ms > 0) this.resumeAt = Math.max(this.resumeAt, this.now() + ms);
  }

  /** Waits for the turn of a call of `vectors` vectors and takes it. */
  take(vectors: number): Promise<void> {
    const turn = this.queue.then(() => this.waitFor(Math.max(0, vectors)));
    // The chain must survive a rejected sleep, or every later caller would fail too.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Milliseconds until a call of `vectors` vectors may start (0: now). */
  waitTimeMs(vectors: number): number {
    const now = this.now();
    this.forget(now);
    let until = this.resumeAt;
    if (this.last) {
      const spacing = Math.max(1 / this.current.requestsPerSecond, this.last.vectors / this.current.vectorsPerSecond) * this.spanMs;
      until = Math.max(until, this.last.at + spacing);
    }
    if (this.startedVectors > 0 && this.startedVectors + vectors > this.current.vectorsPerSecond) {
      // Wait until enough of the last second's calls leave the window (all of them, for a big call).
      let left = this.startedVectors;
      for (const call of this.started) {
        left -= call.vectors;
        if (left === 0 || left + vectors <= this.current.vectorsPerSecond) {
          until = Math.max(until, call.at + this.spanMs);
          break;
        }
      }
    }
    return Math.max(0, until - now);
  }

  private async waitFor(vectors: number): Promise<void> {
    for (let wait = this.waitTimeMs(vectors); wait > 0; wait = this.waitTimeMs(vectors)) await this.sleep(Math.ceil(wait));
    const call = { at: this.now(), vectors };
    this.started.push(call);
    this.startedVectors += vectors;
    this.last = call;
  }

  /** Drops the calls that started a whole span ago or earlier. */
  private forget(now: number): void {
    let gone = 0;
    while (gone < this.started.length && (this.started[gone]?.at ?? now) <= now - this.spanMs) {
      this.startedVectors -= this.started[gone]?.vectors ?? 0;
      gone += 1;
    }
    if (gone > 0) this.started.splice(0, gone);
  }
}
