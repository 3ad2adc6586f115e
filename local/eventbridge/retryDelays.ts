import { PushRetryStrategy } from '../../shared/routing';

/** EXPONENTIAL_DECAY_RETRY: 176 retries, doubling from 1 s to 512 s, then 512 s until about a day. */
const EXPONENTIAL_RETRIES = 176;
const EXPONENTIAL_CAP_SECONDS = 512;
/** BACKOFF_RETRY: 3 retries, each after a random 10-20 s. */
const BACKOFF_RETRIES = 3;

/** The wait before each retry, in seconds, for a push retry strategy. */
export function retryDelays(strategy: string, random: () => number = Math.random): number[] {
  if (strategy === PushRetryStrategy.ExponentialDecay) {
    return Array.from({ length: EXPONENTIAL_RETRIES }, (_, i) => Math.min(EXPONENTIAL_CAP_SECONDS, 2 ** i));
  }
  return Array.from({ length: BACKOFF_RETRIES }, () => 10 + random() * 10);
}
