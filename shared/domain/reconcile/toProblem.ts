import { describeError } from '../../errors';
import type { ReconcileProblem } from './types';

/** A caught error as a line of the tick's summary. */
export function toProblem(step: ReconcileProblem['step'], error: unknown, where: { runId?: string; chunkNo?: number } = {}): ReconcileProblem {
  const described = describeError(error);
  return { step, ...where, code: described.code ?? described.name, message: described.message };
}
