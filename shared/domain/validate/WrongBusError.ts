import { PermanentError } from '../../errors';

/** An event that arrived from another bus than the project's: a misrouted rule, never retried. */
export class WrongBusError extends PermanentError {}
