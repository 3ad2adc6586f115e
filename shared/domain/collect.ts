// collect-stats: Cloud Assistant's TaskCompleted settles a chunk attempt; vectorsync.stats.requested
// looks at a run. Either closes the run once every chunk is final and publishes run.completed once.
import { EventType } from '../contracts';
import type { StatsRequestedData, TaskCompletedData } from '../contracts';
import { TransientError } from '../errors';
import type { RunRow } from '../ledger';
import { closeRunIfDone, settleChunkAttempt } from './lifecycle';
import type { LifecycleDeps, SettleAction } from './lifecycle';

/**
 * A TaskCompleted for a command no chunk names yet while an attempt is planned on its instance: a
 * run that ends at once (an offline agent answers Aborted) can report before dispatch has recorded
 * its command id. Retried, so the attempt is settled once recorded instead of waiting for
 * reconcile's timeout.
 */
export class CompletionBeforeDispatchError extends TransientError {}

/** One event collect-stats handles, told apart by its CloudEvent type. */
export type CollectStatsInput =
  | { readonly type: typeof EventType.TaskCompleted; readonly data: TaskCompletedData }
  | { readonly type: typeof EventType.StatsRequested; readonly data: StatsRequestedData };

/** What collect-stats did. */
export interface CollectStatsResult {
  readonly runId?: string;
  readonly chunkNo?: number;
  readonly action: SettleAction | 'ignored' | 'looked';
  /** How the run ended, when this call closed it. */
  readonly closed?: RunRow['state'];
  /** Waiting chunks announced for the slots the settled attempt freed. */
  readonly announced?: number;
}

/**
 * A TaskCompleted settles its chunk's attempt (a command that is no current chunk attempt is
 * someone else's or a requeued attempt's, and is ignored) and announces the waiting chunks that
 * get the slot it freed; a stats request looks at a run. Either closes the run once every chunk is
 * final.
 */
export async function collectStats(deps: LifecycleDeps, input: CollectStatsInput): Promise<CollectStatsResult> {
  if (input.type === EventType.StatsRequested) {
    const closed = await closeRunIfDone(deps, input.data.runId);
    return { runId: input.data.runId, action: 'looked', ...(closed ? { closed: closed.state } : {}) };
  }
  const task = input.data;
  // In this order: an attempt is planned before its RunCommand is sent, so if dispatch records the
  // command only after the second read, the first one still saw the attempt planned.
  const planned = await deps.ledger.plannedAttempts(task.instanceId);
  const chunk = await deps.ledger.chunkForCommand(task.commandId);
  if (!chunk) {
    if (planned > 0) {
      throw new CompletionBeforeDispatchError(`command ${task.commandId} on ${task.instanceId} ended before dispatch recorded an attempt planned there; asking for the event again`, {
        code: 'CompletionBeforeDispatch',
        details: { commandId: task.commandId, instanceId: task.instanceId },
      });
    }
    deps.log.info('not ours or a stale attempt', { commandId: task.commandId, instanceId: task.instanceId });
    return { action: 'ignored' };
  }
  const log = deps.log.child({ runId: chunk.run_id, chunkNo: chunk.chunk_no });
  if (chunk.instance_id !== task.instanceId) {
    log.warn('TaskCompleted names another instance than the chunk attempt; ignored', { commandId: task.commandId, instanceId: task.instanceId, chunkInstanceId: chunk.instance_id });
    return { runId: chunk.run_id, chunkNo: chunk.chunk_no, action: 'ignored' };
  }
  const outcome = { commandId: task.commandId, status: task.invocationStatus, exitCode: task.exitCode };
  const settled = await settleChunkAttempt({ ...deps, log }, chunk, outcome);
  return {
    runId: chunk.run_id,
    chunkNo: chunk.chunk_no,
    action: settled.action,
    ...(settled.closedRun ? { closed: settled.closedRun.state } : {}),
    ...(settled.announced === undefined ? {} : { announced: settled.announced }),
  };
}
