export { retry } from './retry';
export type { RetryOptions } from './retry';
export { computeDelay } from './computeDelay';
export type { BackoffOptions } from './computeDelay';
export { parseRetryAfter } from './parseRetryAfter';
export { RetriesExhaustedError } from './errors';
