import { PermanentError } from '../../shared/errors';

/** The command line is wrong: unknown command or bad arguments (exit code 2). */
export class UsageError extends PermanentError {}
