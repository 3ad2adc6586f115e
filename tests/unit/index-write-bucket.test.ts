// One token bucket per index for requests and vectors together: even pacing, the sliding-window
// bound a server measures, the hold-off after a 429, rate changes. Time is virtual.
import { describe, expect, it } from 'vitest';
import { IndexWriteBucket } from '../../shared/clients/oss-vectors';
import type { WriteRates } from '../../shared/clients/oss-vectors';
import { VirtualClock } from '../helpers/virtualClock';

function bucketAt(rates: WriteRates, marginMs = 0): { bucket: IndexWriteBucket; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { bucket: new IndexWriteBucket({ rates, marginMs, now: clock.now, sleep: clock.sleep }), clock };
}

/** Takes a turn for each call in order (all queued at once) and answers when each started. */
async function starts(bucket: IndexWriteBucket, clock: VirtualClock, sizes: readonly number[]): Promise<number[]> {
  return clock.drive(Promise.all(sizes.map((size) => bucket.take(size).then(() => clock.now()))));
}

/** The most calls and vectors that started within any sliding window (t - 1000, t]. */
function busiestWindow(times: readonly number[], sizes: readonly number[]): { calls: number; vectors: number } {
  let calls = 0;
  let vectors = 0;
  for (const end of times) {
    const inside = times.map((t, i) => ({ t, size: sizes[i] ?? 0 })).filter(({ t }) => t > end - 1000 && t <= end);
    calls = Math.max(calls, inside.length);
    vectors = Math.max(vectors, inside.reduce((sum, { size }) => sum + size, 0));
  }
  return { calls, vectors };
}

describe('IndexWriteBucket', () => {
  it('spaces calls by the request rate when batches are small', async () => {
    // Prepare
    const { bucket, clock } = bucketAt({ requestsPerSecond: 5, vectorsPerSecond: 2500 });
    // Act
    const times = await starts(bucket, clock, [100, 100, 100, 100, 100, 100, 100]);
    // Assess
    expect(times).toEqual([0, 200, 400, 600, 800, 1000, 1200]);
  });

  it('spaces calls by the vector rate when batches are big', async () => {
    // Prepare: 10 calls a second allowed, but 500-vector calls at 1,000 vectors a second
    const { bucket, clock } = bucketAt({ requestsPerSecond: 10, vectorsPerSecond: 1000 });
    // Act
    const times = await starts(bucket, clock, [500, 500, 500, 500]);
    // Assess
    expect(times).toEqual([0, 500, 1000, 1500]);
  });

  it('never lets any one-second window hold more than the quota, whatever the call sizes', async () => {
    // Prepare: sizes that do not divide the quota (an even pacer alone would put 2,800 in a window)
    const { bucket, clock } = bucketAt({ requestsPerSecond: 1000, vectorsPerSecond: 2500 });
    const sizes = Array.from({ length: 60 }, (_, i) => [400, 500, 37, 250, 499, 1][i % 6] ?? 1);
    // Act
    const times = await starts(bucket, clock, sizes);
    // Assess
    const busiest = busiestWindow(times, sizes);
    expect(busiest.vectors).toBeLessThanOrEqual(2500);
    // ... and still near the quota: 16,870 vectors within 8 virtual seconds (6.7 at 2,500 a second;
    // uneven sizes cost some waits for the window, full batches none: see the next test)
    expect(times.at(-1)).toBeLessThan(8000);
  });

  it('keeps the request quota in every window at the cloud figures with full batches', async () => {
    // Prepare
    const { bucket, clock } = bucketAt({ requestsPerSecond: 5, vectorsPerSecond: 2500 });
    const sizes = Array(20).fill(500) as number[];
    // Act
    const times = await starts(bucket, clock, sizes);
    // Assess: exactly the quota, evenly
    expect(busiestWindow(times, sizes)).toEqual({ calls: 5, vectors: 2500 });
    expect(times.at(-1)).toBe(19 * 200);
  });

  it('spreads a second\'s quota over 1,000 + margin ms, so that calls arriving up to margin ms apart in lateness stay within it', async () => {
    // Prepare: the cloud's quota, with the client's default 50 ms of headroom and without
    const sizes = Array(21).fill(500) as number[];
    const withMargin = bucketAt({ requestsPerSecond: 5, vectorsPerSecond: 2500 }, 50);
    const without = bucketAt({ requestsPerSecond: 5, vectorsPerSecond: 2500 });
    // Act
    const spaced = await starts(withMargin.bucket, withMargin.clock, sizes);
    const tight = await starts(without.bucket, without.clock, sizes);
    // Assess: 210 ms apart; every tenth call reaching the server 25 ms late and the others 25 ms
    // early still leaves 5 calls in every second there, while calls 200 ms apart would give 6
    expect(spaced).toEqual(sizes.map((_, i) => i * 210));
    const arrival = (times: number[]) => times.map((t, i) => t + (i % 10 === 0 ? 25 : -25));
    expect(busiestWindow(arrival(spaced), sizes).calls).toBe(5);
    expect(busiestWindow(arrival(tight), sizes).calls).toBe(6);
  });

  it('lets a call bigger than the vector rate go alone', async () => {
    // Prepare: a share of 300 vectors a second, calls of 500
    const { bucket, clock } = bucketAt({ requestsPerSecond: 5, vectorsPerSecond: 300 });
    // Act
    const times = await starts(bucket, clock, [500, 500, 500]);
    // Assess: each waits for the one before it to leave the window, and for its 500/300 s
    expect(times).toEqual([0, 1667, 3334]);
  });

  it('holds every caller off after a 429, then paces again', async () => {
    // Prepare
    const { bucket, clock } = bucketAt({ requestsPerSecond: 1000, vectorsPerSecond: 1_000_000 });
    await starts(bucket, clock, [10]);
    // Act
    bucket.holdOff(2000);
    const times = await starts(bucket, clock, [10, 10, 10]);
    // Assess
    expect(times).toEqual([2000, 2001, 2002]);
  });

  it('spaces the next call at a rate set after the last one started', async () => {
    // Prepare: one call a second; a call has just started
    const { bucket, clock } = bucketAt({ requestsPerSecond: 1, vectorsPerSecond: 1000 });
    await starts(bucket, clock, [1]);
    // Act: the share quadruples (other writers finished)
    bucket.setRates({ requestsPerSecond: 4, vectorsPerSecond: 1000 });
    const times = await starts(bucket, clock, [1, 1]);
    // Assess
    expect(times).toEqual([250, 500]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the rate %s', (rate) => {
    expect(() => new IndexWriteBucket({ rates: { requestsPerSecond: rate, vectorsPerSecond: 1 } })).toThrow(RangeError);
    expect(() => new IndexWriteBucket({ rates: { requestsPerSecond: 1, vectorsPerSecond: rate } })).toThrow(RangeError);
  });
});
