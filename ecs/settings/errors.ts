import { PermanentError } from '../../shared/errors';

/** The worker's settings file is missing, unsafe or malformed. Messages never quote values. */
export class SettingsFileError extends PermanentError {}
