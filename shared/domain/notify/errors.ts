import { PermanentError } from '../../errors';

/** run.completed named a run that is not completed or failed: the event is wrong, not late. */
export class RunNotFinishedError extends PermanentError {}
