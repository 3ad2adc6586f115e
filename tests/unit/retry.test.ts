import { afterEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, TransientError } from '../../shared/errors';
import { RetriesExhaustedError, computeDelay, parseRetryAfter, retry } from '../../shared/retry';
import type { RetryOptions } from '../../shared/retry';

/** A sleep that records the delays it was asked for and returns at once. */
function recordingSleep() {
  const delays: number[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    delays.push(ms);
    signals.push(signal);
  }
  return { sleep, delays, signals };
}

/** An operation that fails with the given errors in turn, then answers `result`. */
function failingThen<T>(errors: unknown[], result: T) {
  const attempts: number[] = [];
  async function fn(attempt: number): Promise<T> {
    attempts.push(attempt);
    const error = errors[attempts.length - 1];
    if (error !== undefined) throw error;
    return result;
  }
  return { fn, attempts };
}

const noJitter = { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'none' } as const;

describe('computeDelay', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1600],
  ])('doubles the delay with each attempt (attempt %i -> %i ms)', (attempt, expected) => {
    // Act
    const delay = computeDelay(attempt, noJitter);
    // Assess
    expect(delay).toBe(expected);
  });

  it('treats an attempt below 1 as the first', () => {
    expect(computeDelay(0, noJitter)).toBe(100);
  });

  it.each([
    [5, 1000],
    [10, 1000],
    [2000, 1000],
  ])('caps the delay at maxDelayMs (attempt %i -> %i ms)', (attempt, expected) => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 'none' } as const;
    // Act
    const delay = computeDelay(attempt, options);
    // Assess
    expect(delay).toBe(expected);
  });

  it.each([
    [0, 0],
    [0.25, 100],
    [0.5, 200],
    [0.999_999, 400],
  ])('full jitter picks uniformly in [0, delay] (random %f -> %i ms)', (random, expected) => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' } as const;
    // Act
    const delay = computeDelay(3, options, undefined, undefined, () => random);
    // Assess
    expect(delay).toBe(expected);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(400);
  });

  it.each([
    [0, 200],
    [0.5, 300],
    [0.999_999, 400],
  ])('equal jitter picks in [delay/2, delay] (random %f -> %i ms)', (random, expected) => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'equal' } as const;
    // Act
    const delay = computeDelay(3, options, undefined, undefined, () => random);
    // Assess
    expect(delay).toBe(expected);
  });

  it('ignores random when jitter is none', () => {
    // Prepare
    const random = vi.fn(() => 0);
    // Act
    const delay = computeDelay(3, noJitter, undefined, undefined, random);
    // Assess
    expect(delay).toBe(400);
    expect(random).not.toHaveBeenCalled();
  });

  it('uses full jitter when no mode is given', () => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 10_000 };
    // Act
    const delay = computeDelay(3, options, undefined, undefined, () => 0.5);
    // Assess
    expect(delay).toBe(200);
  });

  it('keeps the full-jitter delay within [0, delay] for Math.random', () => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 10_000 };
    // Act
    const delays = Array.from({ length: 200 }, () => computeDelay(3, options));
    // Assess
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(400);
  });

  it('rounds to whole milliseconds', () => {
    // Prepare
    const options = { baseDelayMs: 3, maxDelayMs: 10_000, jitter: 'equal' } as const;
    // Act
    const delay = computeDelay(1, options, undefined, undefined, () => 0.5);
    // Assess
    expect(delay).toBe(2);
  });

  it('lets Retry-After win when it asks for longer', () => {
    // Act
    const delay = computeDelay(1, noJitter, 5000, 60_000);
    // Assess
    expect(delay).toBe(5000);
  });

  it('keeps the computed delay when Retry-After is shorter', () => {
    // Act
    const delay = computeDelay(3, noJitter, 50, 60_000);
    // Assess
    expect(delay).toBe(400);
  });

  it('caps Retry-After at maxRetryAfterMs', () => {
    // Act
    const delay = computeDelay(1, noJitter, 120_000, 2000);
    // Assess
    expect(delay).toBe(2000);
  });

  it('caps Retry-After at four times maxDelayMs by default', () => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 'none' } as const;
    // Act
    const delay = computeDelay(1, options, 120_000);
    // Assess
    expect(delay).toBe(4000);
  });

  it('compares Retry-After with the jittered delay, not the uncapped one', () => {
    // Prepare
    const options = { baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' } as const;
    // Act
    const delay = computeDelay(3, options, 150, 60_000, () => 0);
    // Assess
    expect(delay).toBe(150);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:15:30Z');

  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5000],
    ['1.5', 1500],
    ['0.25', 250],
  ])('reads delay-seconds %j as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    [3, 3000],
    [0, 0],
    [0.5, 500],
  ])('reads the number %d as seconds (%i ms)', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('reads an HTTP date as the time left from now', () => {
    // Act
    const delay = parseRetryAfter('Sun, 22 Nov 2026 10:16:00 GMT', now);
    // Assess
    expect(delay).toBe(30_000);
  });

  it('answers 0 for an HTTP date in the past', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:00 GMT', now)).toBe(0);
  });

  it('measures an HTTP date from Date.now when no now is given', () => {
    // Prepare
    vi.useFakeTimers({ now });
    // Act
    const delay = parseRetryAfter('Sun, 22 Nov 2026 10:15:40 GMT');
    // Assess
    expect(delay).toBe(10_000);
  });

  it.each([
    ['garbage', 'soon'],
    ['letters', 'abc'],
    ['a number with a unit', '5 seconds'],
    ['a hex number', '0x10'],
    ['empty', ''],
    ['blank', '   '],
    ['null', null],
    ['undefined', undefined],
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('answers undefined for %s', (_label, value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('retry', () => {
  function options(overrides: Partial<RetryOptions> = {}): RetryOptions {
    return { operation: 'PutVectors', maxAttempts: 4, ...noJitter, ...overrides };
  }

  it('answers the result once a transient failure has passed', async () => {
    // Prepare
    const { fn, attempts } = failingThen([new TransientError('throttled'), new TransientError('throttled')], 'ok');
    const { sleep, delays } = recordingSleep();
    // Act
    const result = await retry(fn, options({ sleep }));
    // Assess
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(delays).toEqual([100, 200]);
  });

  it('does not wait when the first attempt succeeds', async () => {
    // Prepare
    const { sleep, delays } = recordingSleep();
    // Act
    const result = await retry(async () => 42, options({ sleep }));
    // Assess
    expect(result).toBe(42);
    expect(delays).toEqual([]);
  });

  it('stops at maxAttempts with RetriesExhaustedError carrying the attempts and the last cause', async () => {
    // Prepare
    const errors = [new TransientError('first'), new TransientError('second'), new TransientError('third')];
    const { fn, attempts } = failingThen(errors, 'never');
    const { sleep, delays } = recordingSleep();
    // Act
    const error = await retry(fn, options({ maxAttempts: 3, sleep })).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({
      attempts: 3,
      code: 'RetriesExhausted',
      kind: 'transient',
      details: { operation: 'PutVectors', attempts: 3 },
      message: 'PutVectors failed after 3 attempts: third',
    });
    expect((error as Error).cause).toBe(errors[2]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(delays).toEqual([100, 200]);
  });

  it.each([
    [1, 1],
    [0, 1],
    [-3, 1],
    [2.7, 2],
  ])('makes %d maxAttempts mean %i attempt(s)', async (maxAttempts, expected) => {
    // Prepare
    const fn = vi.fn(async () => {
      throw new TransientError('down');
    });
    const { sleep } = recordingSleep();
    // Act
    const error = await retry(fn, options({ maxAttempts, sleep })).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(expected);
    expect(fn).toHaveBeenCalledTimes(expected);
  });

  it('throws a permanent error at once without retrying', async () => {
    // Prepare
    const permanent = new PermanentError('index docs does not exist');
    const { fn, attempts } = failingThen([permanent], 'never');
    const { sleep, delays } = recordingSleep();
    // Act
    const error = await retry(fn, options({ sleep })).catch((e: unknown) => e);
    // Assess
    expect(error).toBe(permanent);
    expect(attempts).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it('throws an SDK error with a 4xx status at once', async () => {
    // Prepare
    const badRequest = Object.assign(new Error('InvalidParameter'), { statusCode: 400 });
    const { fn, attempts } = failingThen([badRequest], 'never');
    const { sleep } = recordingSleep();
    // Act
    const error = await retry(fn, options({ sleep })).catch((e: unknown) => e);
    // Assess
    expect(error).toBe(badRequest);
    expect(attempts).toEqual([1]);
  });

  it('retries a network error by default', async () => {
    // Prepare
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { fn, attempts } = failingThen([reset], 'ok');
    const { sleep } = recordingSleep();
    // Act
    const result = await retry(fn, options({ sleep }));
    // Assess
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2]);
  });

  it('lets isRetryable refuse an error the default would retry', async () => {
    // Prepare
    const transient = new TransientError('throttled');
    const { fn, attempts } = failingThen([transient], 'never');
    const isRetryable = vi.fn(() => false);
    const { sleep } = recordingSleep();
    // Act
    const error = await retry(fn, options({ isRetryable, sleep })).catch((e: unknown) => e);
    // Assess
    expect(error).toBe(transient);
    expect(attempts).toEqual([1]);
    expect(isRetryable).toHaveBeenCalledWith(transient);
  });

  it('lets isRetryable retry an error the default would not', async () => {
    // Prepare
    const { fn, attempts } = failingThen([new PermanentError('looks permanent')], 'ok');
    const { sleep } = recordingSleep();
    // Act
    const result = await retry(fn, options({ isRetryable: () => true, sleep }));
    // Assess
    expect(result).toBe('ok');
    expect(attempts).toEqual([1, 2]);
  });

  it('waits as long as the server asks through retryAfterMs', async () => {
    // Prepare
    const throttled = Object.assign(new TransientError('slow down'), { retryAfter: 3000 });
    const { fn } = failingThen([throttled, throttled], 'ok');
    const { sleep, delays } = recordingSleep();
    const retryAfterMs = vi.fn((error: unknown) => (error as { retryAfter?: number }).retryAfter);
    // Act
    await retry(fn, options({ retryAfterMs, maxRetryAfterMs: 60_000, sleep }));
    // Assess
    expect(delays).toEqual([3000, 3000]);
    expect(retryAfterMs).toHaveBeenCalledWith(throttled);
  });

  it('caps the server-requested delay at maxRetryAfterMs', async () => {
    // Prepare
    const { fn } = failingThen([new TransientError('slow down')], 'ok');
    const { sleep, delays } = recordingSleep();
    // Act
    await retry(fn, options({ retryAfterMs: () => 3_600_000, maxRetryAfterMs: 5000, sleep }));
    // Assess
    expect(delays).toEqual([5000]);
  });

  it('calls onRetry with the attempt, the delay and the error before each wait', async () => {
    // Prepare
    const errors = [new TransientError('one'), new TransientError('two')];
    const { fn } = failingThen(errors, 'ok');
    const events: string[] = [];
    const onRetry = vi.fn((info: { attempt: number; delayMs: number }) => events.push(`retry ${info.attempt}`));
    async function sleep(ms: number): Promise<void> {
      events.push(`sleep ${ms}`);
    }
    // Act
    await retry(fn, options({ onRetry, sleep }));
    // Assess
    expect(onRetry.mock.calls.map(([info]) => info)).toEqual([
      { attempt: 1, delayMs: 100, error: errors[0] },
      { attempt: 2, delayMs: 200, error: errors[1] },
    ]);
    expect(events).toEqual(['retry 1', 'sleep 100', 'retry 2', 'sleep 200']);
  });

  it('does not call onRetry after the last attempt', async () => {
    // Prepare
    const onRetry = vi.fn();
    const { sleep } = recordingSleep();
    // Act
    await retry(async () => {
      throw new TransientError('down');
    }, options({ maxAttempts: 2, onRetry, sleep })).catch(() => undefined);
    // Assess
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('draws jitter from the injected random', async () => {
    // Prepare
    const { fn } = failingThen([new TransientError('a'), new TransientError('b')], 'ok');
    const { sleep, delays } = recordingSleep();
    // Act
    await retry(fn, options({ jitter: 'full', random: () => 0.5, sleep }));
    // Assess
    expect(delays).toEqual([50, 100]);
  });

  it('hands the signal to sleep', async () => {
    // Prepare
    const controller = new AbortController();
    const { fn } = failingThen([new TransientError('a')], 'ok');
    const { sleep, signals } = recordingSleep();
    // Act
    await retry(fn, options({ signal: controller.signal, sleep }));
    // Assess
    expect(signals).toEqual([controller.signal]);
  });

  it('stops waiting when the signal is aborted, with the default sleep', async () => {
    // Prepare
    const controller = new AbortController();
    controller.abort();
    const fn = vi.fn(async () => {
      throw new TransientError('down');
    });
    // Act
    const error = await retry(fn, options({ baseDelayMs: 60_000, signal: controller.signal })).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
