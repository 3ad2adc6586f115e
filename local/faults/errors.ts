import { PermanentError } from '../../shared/errors';

/** A fault rule that cannot be applied (bad kind, rate, status or count). */
export class FaultSpecError extends PermanentError {}
