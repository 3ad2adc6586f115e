import { runCompletedEvent } from '../../contracts';
import { describeError } from '../../errors';
import type { RunRow } from '../../ledger';
import { publishAll } from './publishAll';
import { RecoveryLedger } from './RecoveryLedger';
import type { PipelineDeps } from './types';

/**
 * Publishes `vectorsync.run.completed` for a final run whose completion the caller has claimed,
 * then confirms the claim. A failed publish releases the claim (so a retry or reconcile can
 * publish) and is rethrown; if even the release fails, reconcile takes the claim over later.
 */
export async function announceCompletion(deps: Pick<PipelineDeps, 'sql' | 'publisher' | 'log'>, run: RunRow): Promise<void> {
  const recovery = new RecoveryLedger(deps.sql);
  const outcome = run.state === 'completed' ? 'completed' : 'failed';
  try {
    await publishAll(deps.publisher, [runCompletedEvent(run.run_id, outcome)]);
  } catch (error) {
    await recovery.releaseCompletion(run.run_id).catch((releaseError: unknown) => {
      deps.log.warn('releasing the completion claim failed; reconcile will take it over', { runId: run.run_id, error: describeError(releaseError) });
    });
    throw error;
  }
  await recovery.confirmCompletion(run.run_id);
}
