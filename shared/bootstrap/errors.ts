import { PermanentError } from '../errors';

/** A bootstrap step that cannot go on: the message says what to fix. */
export class BootstrapError extends PermanentError {}
