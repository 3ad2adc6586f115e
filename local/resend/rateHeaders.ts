import type { RateState } from './types';

/** The IETF draft-6 headers Resend sends on every answer, plus `retry-after` on a refusal. */
export function rateHeaders(state: RateState): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-limit': String(state.limit),
    'ratelimit-remaining': String(state.remaining),
    'ratelimit-reset': String(state.resetSeconds),
  };
  if (!state.allowed) headers['retry-after'] = String(state.resetSeconds);
  return headers;
}
