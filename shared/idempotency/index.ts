export type { ClaimResult, IdempotencyStore } from './types';
export { InMemoryIdempotencyStore } from './InMemoryIdempotencyStore';
