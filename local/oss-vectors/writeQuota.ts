// The write quota of an OSS Vectors index as the emulator enforces it: PutVectors and DeleteVectors
// of one index share a requests-per-second and a vectors-per-second allowance (a PutVectors counts
// its vectors, a DeleteVectors its keys); a call over either is refused with 429 Throttling and
// writes nothing. The cloud's figures: 5 requests/s and 2,500 vectors/s per index (older pages:
// 5 QPS x 500 vectors; newer: at most 2,500 vectors written per second) — both give one rate.
// PutVectorIndex has its own documented rate, 5 per second, per account. `false` turns both off.
import { TokenBucket } from '../../shared/ratelimit';
import { OssVectorsApiError } from './errors';

/** The allowance of one index, per second. */
export interface WriteQuotaLimits {
  readonly requestsPerSecond: number;
  readonly vectorsPerSecond: number;
}

/** The cloud's figures, the emulator's default. */
export const CLOUD_WRITE_QUOTA: WriteQuotaLimits = { requestsPerSecond: 5, vectorsPerSecond: 2_500 };

/** PutVectorIndex calls per second (per account). */
export const PUT_VECTOR_INDEX_PER_SECOND = 5;

/** What one index's writers were answered. */
export interface IndexWriteCounts {
  /** PutVectors and DeleteVectors calls let through. */
  accepted: number;
  /** Calls refused with 429 because the index's quota was spent. */
  throttled: number;
  /** Vectors written or deleted by the accepted calls. */
  vectors: number;
}

/**
 * Token buckets per index (requests and vectors), each holding at most one second's worth: a
 * writer that paces itself at the quota is never refused, however its calls bunch on the wire, and
 * one that goes faster is refused for the excess. The rule is a bucket and not a strict window
 * because the cloud publishes a rate, not its accounting; a bucket is how rates are usually kept.
 */
export class WriteQuota {
  private readonly buckets = new Map<string, { readonly requests: TokenBucket; readonly vectors: TokenBucket }>();
  private readonly counts = new Map<string, IndexWriteCounts>();
  private readonly indexCreations: TokenBucket;

  constructor(
    private readonly limits: WriteQuotaLimits | false,
    private readonly now: () => number,
  ) {
    if (limits !== false && !(limits.requestsPerSecond > 0 && limits.vectorsPerSecond > 0)) {
      throw new RangeError(`write quota ${JSON.stringify(limits)} needs positive requestsPerSecond and vectorsPerSecond`);
    }
    this.indexCreations = new TokenBucket({ ratePerSecond: PUT_VECTOR_INDEX_PER_SECOND, now });
  }

  /** Lets a PutVectors or DeleteVectors of `vectors` vectors into `bucket/indexName` through, or throws 429 Throttling. */
  admit(bucket: string, indexName: string, vectors: number): void {
    const key = `${bucket}/${indexName}`;
    const counts = this.counts.get(key) ?? { accepted: 0, throttled: 0, vectors: 0 };
    this.counts.set(key, counts);
    if (this.limits !== false) {
      const limits = this.limits;
      const buckets = this.buckets.get(key) ?? {
        requests: new TokenBucket({ ratePerSecond: limits.requestsPerSecond, now: this.now }),
        vectors: new TokenBucket({ ratePerSecond: limits.vectorsPerSecond, now: this.now }),
      };
      this.buckets.set(key, buckets);
      // Both allowances or neither: a refused call must not spend the other one.
      const fits = buckets.requests.waitTimeMs(1) === 0 && buckets.vectors.waitTimeMs(vectors) === 0 && vectors <= buckets.vectors.capacity;
      if (!fits) {
        counts.throttled += 1;
        throw new OssVectorsApiError('Throttling', `the write quota of index ${indexName} is spent (${limits.requestsPerSecond} requests and ${limits.vectorsPerSecond} vectors a second, PutVectors and DeleteVectors together)`);
      }
      buckets.requests.tryTake(1);
      buckets.vectors.tryTake(vectors);
    }
    counts.accepted += 1;
    counts.vectors += vectors;
  }

  /** Lets a PutVectorIndex through at its documented rate, or throws 429 Throttling. */
  admitIndexCreation(): void {
    if (this.limits === false) return;
    if (!this.indexCreations.tryTake(1)) throw new OssVectorsApiError('Throttling', `PutVectorIndex is limited to ${PUT_VECTOR_INDEX_PER_SECOND} calls a second`);
  }

  /** What each index's writers were answered so far, by `bucket/indexName`. */
  writeCounts(): Record<string, IndexWriteCounts> {
    return Object.fromEntries([...this.counts].map(([key, counts]) => [key, { ...counts }]));
  }
}
