import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryIdempotencyStore } from '../../shared/idempotency';

const LOCK_MS = 60_000;
const TTL_MS = 3_600_000;

/** A store on a clock the test moves by hand. */
function storeWithClock(start = 1_000_000) {
  const clock = { now: start };
  const store = new InMemoryIdempotencyStore(() => clock.now);
  return { store, clock, start };
}

describe('InMemoryIdempotencyStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('grants the first claim of a key', async () => {
    // Prepare
    const { store } = storeWithClock();
    // Act
    const claim = await store.claim('validate:evt-1', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'claimed' });
    expect(store.size).toBe(1);
  });

  it('answers in_progress with the lock expiry to a concurrent claim', async () => {
    // Prepare
    const { store, clock, start } = storeWithClock();
    await store.claim('validate:evt-1', LOCK_MS);
    clock.now += 1000;
    // Act
    const claim = await store.claim('validate:evt-1', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'in_progress', expiresAt: start + LOCK_MS });
  });

  it('grants only one of two claims made at the same time', async () => {
    // Prepare
    const { store } = storeWithClock();
    // Act
    const claims = await Promise.all([store.claim('k', LOCK_MS), store.claim('k', LOCK_MS)]);
    // Assess
    expect(claims.map((c) => c.state).sort()).toEqual(['claimed', 'in_progress']);
  });

  it('keeps an unexpired claim until the last millisecond', async () => {
    // Prepare
    const { store, clock, start } = storeWithClock();
    await store.claim('k', LOCK_MS);
    clock.now = start + LOCK_MS - 1;
    // Act
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim.state).toBe('in_progress');
  });

  it('grants a claim whose lock has expired (a crashed invocation)', async () => {
    // Prepare
    const { store, clock, start } = storeWithClock();
    await store.claim('k', LOCK_MS);
    clock.now = start + LOCK_MS;
    // Act
    const claim = await store.claim('k', LOCK_MS);
    const again = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'claimed' });
    expect(again).toEqual({ state: 'in_progress', expiresAt: start + 2 * LOCK_MS });
  });

  it('answers the stored result for a completed key', async () => {
    // Prepare
    const { store } = storeWithClock();
    await store.claim('k', LOCK_MS);
    await store.complete('k', { runId: 'run-1', chunks: 4 }, TTL_MS);
    // Act
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'completed', result: { runId: 'run-1', chunks: 4 } });
  });

  it('keeps a completed result for its TTL, not the lock time', async () => {
    // Prepare
    const { store, clock } = storeWithClock();
    await store.claim('k', LOCK_MS);
    await store.complete('k', 'done', TTL_MS);
    clock.now += TTL_MS - 1;
    // Act
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'completed', result: 'done' });
  });

  it('forgets a completed result once its TTL has passed', async () => {
    // Prepare
    const { store, clock } = storeWithClock();
    await store.claim('k', LOCK_MS);
    clock.now += 500;
    await store.complete('k', 'done', TTL_MS);
    clock.now += TTL_MS;
    // Act
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'claimed' });
  });

  it('measures the TTL from completion', async () => {
    // Prepare
    const { store, clock, start } = storeWithClock();
    await store.claim('k', LOCK_MS);
    clock.now = start + 10_000;
    await store.complete('k', 'done', TTL_MS);
    clock.now = start + TTL_MS;
    // Act
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim.state).toBe('completed');
  });

  it('lets a released key be claimed again at once', async () => {
    // Prepare
    const { store } = storeWithClock();
    await store.claim('k', LOCK_MS);
    // Act
    await store.release('k');
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'claimed' });
  });

  it('keeps a completed result when released', async () => {
    // Prepare
    const { store } = storeWithClock();
    await store.claim('k', LOCK_MS);
    await store.complete('k', 'done', TTL_MS);
    // Act
    await store.release('k');
    const claim = await store.claim('k', LOCK_MS);
    // Assess
    expect(claim).toEqual({ state: 'completed', result: 'done' });
  });

  it('ignores the release of an unknown key', async () => {
    // Prepare
    const { store } = storeWithClock();
    await store.claim('other', LOCK_MS);
    // Act
    await store.release('unknown');
    // Assess
    expect(store.size).toBe(1);
  });

  it('keeps keys apart', async () => {
    // Prepare
    const { store } = storeWithClock();
    await store.claim('validate:evt-1', LOCK_MS);
    await store.complete('validate:evt-1', 'one', TTL_MS);
    // Act
    const other = await store.claim('chunk:evt-1', LOCK_MS);
    // Assess
    expect(other).toEqual({ state: 'claimed' });
    expect(store.size).toBe(2);
  });

  it('uses Date.now when no clock is given', async () => {
    // Prepare
    vi.useFakeTimers({ now: 5_000_000 });
    const store = new InMemoryIdempotencyStore();
    await store.claim('k', LOCK_MS);
    // Act
    const during = await store.claim('k', LOCK_MS);
    vi.setSystemTime(5_000_000 + LOCK_MS);
    const after = await store.claim('k', LOCK_MS);
    // Assess
    expect(during).toEqual({ state: 'in_progress', expiresAt: 5_000_000 + LOCK_MS });
    expect(after).toEqual({ state: 'claimed' });
  });
});
