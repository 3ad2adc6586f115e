import { PermanentError } from '../../shared/errors';

/** Base of the sample corpus errors. */
export class CorpusError extends PermanentError {}

/** A count, seed or batch size the corpus cannot use; `details.option` names it. */
export class CorpusOptionsError extends CorpusError {}
