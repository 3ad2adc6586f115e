import { chunkReadyEvent } from '../../contracts';
import type { ChunkRow, RunRow } from '../../ledger';
import { closeRunIfDone } from './closeRunIfDone';
import { publishAll } from './publishAll';
import { RecoveryLedger } from './RecoveryLedger';
import type { PipelineDeps, SettleAction } from './types';

/** What became of a chunk attempt, and the run if that closed it. */
export interface SettleResult {
  readonly action: SettleAction;
  readonly chunk: ChunkRow;
  readonly closedRun?: RunRow;
}

/**
 * Takes back the chunk's current attempt `commandId`, which died without writing its result:
 * under the attempt limit the chunk goes back to ready and chunk.ready is published for the next
 * attempt; at the limit it fails and the run may close. An older attempt changes nothing.
 */
export async function requeueLostAttempt(deps: PipelineDeps, chunk: ChunkRow, commandId: string, reason: string): Promise<SettleResult> {
  const moved = await new RecoveryLedger(deps.sql).requeueAttempt(chunk.run_id, chunk.chunk_no, commandId, reason, deps.maxChunkAttempts);
  const log = deps.log.child({ runId: chunk.run_id, chunkNo: chunk.chunk_no });
  if (moved.state === 'ready') {
    await publishAll(deps.publisher, [chunkReadyEvent(moved.run_id, moved.chunk_no, moved.attempts)]);
    log.warn('chunk attempt lost; chunk requeued', { commandId, reason, attempts: moved.attempts });
    return { action: 'requeued', chunk: moved };
  }
  if (moved.state === 'failed' && moved.command_id === commandId) {
    log.warn('chunk attempt lost and attempts used up; chunk failed', { commandId, reason, attempts: moved.attempts });
    const closedRun = await closeRunIfDone(deps, moved.run_id);
    return { action: 'failed', chunk: moved, ...(closedRun ? { closedRun } : {}) };
  }
  if (moved.state === 'succeeded' || moved.state === 'failed') {
    const closedRun = await closeRunIfDone(deps, moved.run_id);
    return { action: 'already-final', chunk: moved, ...(closedRun ? { closedRun } : {}) };
  }
  log.info('outcome of an older attempt; the current attempt is left alone', { commandId, current: moved.command_id });
  return { action: 'stale', chunk: moved };
}
