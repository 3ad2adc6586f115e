import { PermanentError, TransientError } from '../errors';

/** The ledger refused a move: unknown row (P0002), wrong state (55000), bad argument (22023) or a reused key (42710). */
export class LedgerRefusedError extends PermanentError {}

/** The ledger could not be reached or the statement failed in a way worth retrying. */
export class LedgerUnavailableError extends TransientError {}

/** A row came back in a shape the code does not know (a migration and the code disagree). */
export class LedgerShapeError extends PermanentError {}
