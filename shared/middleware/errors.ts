import { TransientError } from '../errors';

/** A duplicate of an event that is being handled right now; retry later. */
export class IdempotencyInProgressError extends TransientError {}
