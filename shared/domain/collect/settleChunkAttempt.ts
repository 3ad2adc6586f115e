import { closeRunIfDone } from './closeRunIfDone';
import { requeueLostAttempt } from './requeueLostAttempt';
import type { SettleResult } from './requeueLostAttempt';
import type { ChunkRow } from '../../ledger';
import type { AttemptOutcome, PipelineDeps } from './types';

function describeOutcome(outcome: AttemptOutcome): string {
  const exit = outcome.exitCode === undefined ? 'no exit code' : `exit code ${outcome.exitCode}`;
  const code = outcome.errorCode ? ` (${outcome.errorCode})` : '';
  return `attempt ${outcome.commandId} ended ${outcome.status} with ${exit}${code} without writing its result`;
}

/**
 * Settles a chunk attempt whose Cloud Assistant invocation is final. If the ledger already shows
 * the chunk final (the worker wrote its result) nothing changes for the chunk; otherwise the worker
 * died or failed first and the attempt is requeued (or the chunk fails at the attempt limit). Then
 * the run is closed if every chunk is final.
 */
export async function settleChunkAttempt(deps: PipelineDeps, chunk: ChunkRow, outcome: AttemptOutcome): Promise<SettleResult> {
  if (chunk.state === 'succeeded' || chunk.state === 'failed') {
    const closedRun = await closeRunIfDone(deps, chunk.run_id);
    return { action: 'already-final', chunk, ...(closedRun ? { closedRun } : {}) };
  }
  if (chunk.command_id !== outcome.commandId) return { action: 'stale', chunk };
  return requeueLostAttempt(deps, chunk, outcome.commandId, describeOutcome(outcome));
}
