import type { RunRow } from '../../ledger';
import { announceCompletion } from './announceCompletion';
import { RecoveryLedger } from './RecoveryLedger';
import type { PipelineDeps } from './types';

/**
 * Completes the run once every chunk is final and, for the one caller that claims the completion,
 * publishes `vectorsync.run.completed`. Returns the run when this call closed it, else undefined
 * (chunks still open, or another call got there first).
 */
export async function closeRunIfDone(deps: Pick<PipelineDeps, 'ledger' | 'sql' | 'publisher' | 'log'>, runId: string): Promise<RunRow | undefined> {
  const run = await deps.ledger.completeRun(runId);
  if (run.state !== 'completed' && run.state !== 'failed') return undefined;
  if (!(await new RecoveryLedger(deps.sql).claimCompletion(runId))) return undefined;
  await announceCompletion(deps, run);
  return run;
}
