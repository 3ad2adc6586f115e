import { parseRetryAfter } from '../../retry';
import { RateLimitHeaders } from './constants';
import type { RateLimitInfo } from './types';

function count(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/u.test(value)) return undefined;
  return Number(value);
}

/**
 * Reads Resend's throttling headers. `ratelimit-reset` is delay-seconds (draft 6), so it goes
 * through the same parser as `retry-after`. Header names arrive lower-cased from the SDK.
 */
export function readRateLimit(headers: Readonly<Record<string, string>> | null | undefined, now: number = Date.now()): RateLimitInfo {
  return {
    limit: count(headers?.[RateLimitHeaders.limit]),
    remaining: count(headers?.[RateLimitHeaders.remaining]),
    resetMs: parseRetryAfter(headers?.[RateLimitHeaders.reset], now),
    retryAfterMs: parseRetryAfter(headers?.[RateLimitHeaders.retryAfter], now),
  };
}
