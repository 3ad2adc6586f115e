import { PermanentError } from '../../errors';

/** A sync or verify run names a logical index that has no active generation yet (run a rebuild first). */
export class NoActiveIndexError extends PermanentError {}
