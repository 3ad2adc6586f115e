import { PermanentError, TransientError } from '../../errors';

/** A RunCommand parameter the script would refuse: never sent. */
export class InvalidCommandParameterError extends PermanentError {}

/** The worker bundle of the configured version is not in OSS. */
export class WorkerBundleMissingError extends PermanentError {}

/** No instance of the pool could take the command now. */
export class NoInstanceAvailableError extends TransientError {}
