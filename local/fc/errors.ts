import { PermanentError } from '../../shared/errors';

/** The function spec is unusable (bad handler string, missing code folder). */
export class LocalFunctionSpecError extends PermanentError {}
