import { PermanentError } from '../../errors';

/** A RunCommand parameter value the chunk script would refuse; it is never sent. */
export class InvalidCommandParameterError extends PermanentError {}
