import { describe, expect, it } from 'vitest';
import { IdempotencyCache, RateWindow, ResendApiError, isEmailAddress } from '../../local/resend';
import {
  ResendAuthError,
  ResendIdempotencyError,
  ResendQuotaExceededError,
  ResendRateLimitedError,
  ResendRejectedError,
  ResendUnavailableError,
  ResendValidationError,
  classifyResendError,
  readRateLimit,
} from '../../shared/clients/resend';

describe('classifyResendError', () => {
  it.each([
    ['missing_api_key', 401, ResendAuthError, false],
    ['invalid_api_key', 403, ResendAuthError, false],
    ['validation_error', 403, ResendValidationError, false],
    ['missing_required_field', 422, ResendValidationError, false],
    ['invalid_idempotent_request', 409, ResendIdempotencyError, false],
    ['concurrent_idempotent_requests', 409, ResendUnavailableError, true],
    ['rate_limit_exceeded', 429, ResendRateLimitedError, true],
    ['daily_quota_exceeded', 429, ResendQuotaExceededError, true],
    ['application_error', null, ResendUnavailableError, true],
    ['application_error', 502, ResendUnavailableError, true],
    ['application_error', 400, ResendRejectedError, false],
    ['not_found', 404, ResendRejectedError, false],
  ] as const)('maps %s (%s) to its typed error', (name, statusCode, type, transient) => {
    // Act
    const error = classifyResendError({ name, statusCode, message: 'm' }, null, 'send', 're_key');

    // Assess
    expect(error).toBeInstanceOf(type);
    expect(error.transient).toBe(transient);
    expect(error).toMatchObject({ resendName: name, status: statusCode });
  });

  it('takes the wait from retry-after, else from ratelimit-reset, and scrubs the key from the message', () => {
    // Act
    const withRetryAfter = classifyResendError({ name: 'rate_limit_exceeded', statusCode: 429, message: 'slow down re_key' }, { 'retry-after': '2', 'ratelimit-reset': '1' }, 'send', 're_key');
    const withReset = classifyResendError({ name: 'rate_limit_exceeded', statusCode: 429, message: 'm' }, { 'ratelimit-reset': '3' }, 'send', 're_key');

    // Assess
    expect(withRetryAfter).toMatchObject({ retryAfterMs: 2000 });
    expect(withRetryAfter.message).not.toContain('re_key');
    expect(withReset).toMatchObject({ retryAfterMs: 3000 });
  });
});

describe('readRateLimit', () => {
  it('reads the draft-6 headers and ignores unreadable ones', () => {
    expect(readRateLimit({ 'ratelimit-limit': '5', 'ratelimit-remaining': '0', 'ratelimit-reset': '1', 'retry-after': 'soon' })).toEqual({
      limit: 5,
      remaining: 0,
      resetMs: 1000,
      retryAfterMs: undefined,
    });
    expect(readRateLimit(null)).toEqual({ limit: undefined, remaining: undefined, resetMs: undefined, retryAfterMs: undefined });
  });
});

describe('IdempotencyCache', () => {
  it('refuses a second request while the first runs, replays after, and forgets after the TTL', () => {
    // Prepare
    let now = 0;
    const cache = new IdempotencyCache(1000, () => now);

    // Act
    const first = cache.begin('/emails', 'k', 'a');
    let concurrent: unknown;
    try {
      cache.begin('/emails', 'k', 'a');
    } catch (error) {
      concurrent = error;
    }
    cache.complete('/emails', 'k', { status: 200, body: { id: '1' } });
    cache.release('/emails', 'k');
    const replay = cache.begin('/emails', 'k', 'a');
    now = 1000;
    const expired = cache.begin('/emails', 'k', 'b');

    // Assess
    expect(first).toEqual({ kind: 'run' });
    expect(concurrent).toBeInstanceOf(ResendApiError);
    expect(concurrent).toMatchObject({ resendName: 'concurrent_idempotent_requests', status: 409 });
    expect(replay).toEqual({ kind: 'replay', answer: { status: 200, body: { id: '1' } } });
    expect(expired).toEqual({ kind: 'run' });
  });
});

describe('RateWindow', () => {
  it('lets `limit` requests through per second and resets after it', () => {
    // Prepare
    let now = 10_000;
    const window = new RateWindow(2, () => now);

    // Act
    const states = [window.take(), window.take(), window.take()];
    now += 1000;
    const after = window.take();

    // Assess
    expect(states.map((state) => [state.allowed, state.remaining])).toEqual([[true, 1], [true, 0], [false, 0]]);
    expect(after).toMatchObject({ allowed: true, remaining: 1, resetSeconds: 1 });
  });
});

describe('isEmailAddress', () => {
  it.each([
    ['a@b.co', true],
    ['Reports <reports@example.com>', true],
    ['"Ops, Team" <ops@example.com>', true],
    ['ops@', false],
    ['ops example.com', false],
    ['<>', false],
  ])('judges %s as %s', (address, valid) => {
    expect(isEmailAddress(address)).toBe(valid);
  });
});
