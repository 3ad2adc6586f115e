// The write quota shared by the chunks of one index: the share of both rates, its refresh while a
// chunk writes, the token bucket's rate change and the OSS Vectors client's write rates.
import { describe, expect, it } from 'vitest';
import { writeRatesShare, writeShare, WriteQuotaShare } from '../../ecs/writeQuota';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { TokenBucket } from '../../shared/ratelimit';

/** A clock tests move by hand; sleeping moves it. */
function fakeClock(): { now: () => number; advance: (ms: number) => void; slept: number[]; sleep: (ms: number) => Promise<void> } {
  let time = 0;
  const slept: number[] = [];
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
    slept,
    sleep: async (ms) => {
      slept.push(ms);
      time += ms;
    },
  };
}

describe('writeShare', () => {
  it.each([
    [5, 1, 5],
    [5, 4, 1.25],
    [5, 10, 0.5],
    [1000, 3, 1000 / 3],
    [5, 0, 5],
  ])('gives each of the writers of a %d/s quota, %d of them, %d/s', (quota, writers, share) => {
    expect(writeShare(quota, writers)).toBeCloseTo(share, 10);
  });

  it('keeps the writers together under the quota', () => {
    for (const writers of [1, 2, 3, 7, 16]) expect(writeShare(5, writers) * writers).toBeCloseTo(5, 10);
  });

  it('splits the calls and the vectors of the quota alike', () => {
    expect(writeRatesShare({ requestsPerSecond: 5, vectorsPerSecond: 2500 }, 4)).toEqual({ requestsPerSecond: 1.25, vectorsPerSecond: 625 });
  });
});

describe('WriteQuotaShare', () => {
  function share(writers: number[], clock = fakeClock()) {
    const reads: number[] = [];
    const applied: number[] = [];
    const quota = new WriteQuotaShare({
      quota: { requestsPerSecond: 6, vectorsPerSecond: 3000 },
      refreshMs: 5000,
      now: clock.now,
      writers: async () => {
        const next = writers.shift();
        if (next === undefined) throw new Error('the ledger is unreachable');
        reads.push(next);
        return next;
      },
      apply: (rates) => applied.push(rates.requestsPerSecond),
    });
    return { quota, reads, applied, clock };
  }

  it('reads the writers on the first refresh and applies the share', async () => {
    // Prepare
    const { quota, applied } = share([3]);
    // Act
    const rates = await quota.refresh();
    // Assess
    expect(rates).toEqual({ requestsPerSecond: 2, vectorsPerSecond: 1000 });
    expect(applied).toEqual([2]);
    expect(quota.rates).toEqual(rates);
  });

  it('reads again only once the refresh period has passed, and applies only a change', async () => {
    // Prepare
    const { quota, reads, applied, clock } = share([3, 3, 1]);
    await quota.refresh();
    // Act
    clock.advance(4999);
    const within = await quota.refresh();
    clock.advance(1);
    const same = await quota.refresh();
    clock.advance(5000);
    const alone = await quota.refresh();
    // Assess
    expect([within, same, alone].map((rates) => rates.requestsPerSecond)).toEqual([2, 2, 6]);
    expect(reads).toEqual([3, 3, 1]);
    expect(applied).toEqual([2, 6]);
  });

  it('refuses to start writing when the first read fails, and keeps the share in force when a later one does', async () => {
    // Prepare
    const failing = share([]);
    const { quota, clock } = share([2]);
    await quota.refresh();
    clock.advance(5000);
    // Act / Assess
    await expect(failing.quota.refresh()).rejects.toThrow('the ledger is unreachable');
    await expect(quota.refresh()).resolves.toEqual({ requestsPerSecond: 3, vectorsPerSecond: 1500 });
  });

  it('reads the writers once for calls that arrive together', async () => {
    // Prepare: five write calls of one chunk start at once
    const { quota, reads } = share([2, 2, 2, 2, 2]);
    // Act
    const shares = await Promise.all(Array.from({ length: 5 }, () => quota.refresh()));
    // Assess
    expect(reads).toEqual([2]);
    expect(new Set(shares.map((rates) => rates.requestsPerSecond))).toEqual(new Set([3]));
  });
});

describe('TokenBucket.setRate', () => {
  it('spaces calls at the new rate from the change on, keeping the tokens gathered before', async () => {
    // Prepare: one call a second, capacity 1, the token already taken
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, capacity: 1, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    clock.advance(500);
    // Act: half a token gathered at 1/s, then 4 calls a second
    bucket.setRate(4);
    await bucket.take();
    await bucket.take();
    // Assess
    expect(bucket.ratePerSecond).toBe(4);
    expect(clock.slept).toEqual([125, 250]);
  });

  it('slows down as well', async () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 1, now: clock.now, sleep: clock.sleep });
    await bucket.take();
    // Act
    bucket.setRate(0.5);
    await bucket.take();
    // Assess
    expect(clock.slept).toEqual([2000]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the rate %s', (rate) => {
    const bucket = new TokenBucket({ ratePerSecond: 1 });
    expect(() => bucket.setRate(rate)).toThrow(RangeError);
    expect(bucket.ratePerSecond).toBe(1);
  });
});

describe('OssVectorsClient.setWriteRates', () => {
  it('starts at the index write quota and takes the share it is given', () => {
    // Prepare
    const client = new OssVectorsClient({ region: 'cn-hangzhou', accountId: '1', credentials: { accessKeyId: 'test-key', accessKeySecret: 'test-secret' }, indexWriteQps: 5, indexWriteVectorsPerSecond: 2500 });
    // Act
    const before = client.writeRates;
    client.setWriteRates({ requestsPerSecond: 1.25, vectorsPerSecond: 625 });
    // Assess
    expect([before, client.writeRates]).toEqual([
      { requestsPerSecond: 5, vectorsPerSecond: 2500 },
      { requestsPerSecond: 1.25, vectorsPerSecond: 625 },
    ]);
  });
});
