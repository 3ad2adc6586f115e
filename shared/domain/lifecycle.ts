// The run life-cycle moves every handler may make: publish pipeline events, announce the chunks
// that get the pool's free slots, settle a chunk attempt that ended, requeue a lost one, close a
// run once every chunk is final and announce its completion exactly once. Each move is a guarded
// ledger function, so a repeat is harmless.
import type { EventPublisher, PublishableEvent } from '../clients/eventbridge';
import { chunkReadyEvent, runCompletedEvent } from '../contracts';
import { TransientError, describeError } from '../errors';
import type { VectorSyncErrorOptions } from '../errors';
import type { ChunkRow, Ledger, RunRow } from '../ledger';
import type { Logger } from '../logging';

/** What the life-cycle moves need, passed in explicitly so tests can call them directly. */
export interface LifecycleDeps {
  readonly ledger: Ledger;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  readonly log: Logger;
  /** Attempts a chunk gets before it fails for good (MAX_CHUNK_ATTEMPTS). */
  readonly maxChunkAttempts: number;
  /** Chunks dispatched or running at once across the pool (MAX_CHUNKS_IN_FLIGHT). */
  readonly maxChunksInFlight: number;
}

/** How a chunk's Cloud Assistant invocation ended on its instance. */
export interface AttemptOutcome {
  readonly commandId: string;
  /** The final per-instance InvocationStatus, e.g. `Success`, `Failed`, `Timeout`. */
  readonly status: string;
  readonly exitCode?: number | undefined;
  readonly errorCode?: string | undefined;
}

/** What happened to a chunk attempt that was looked at. */
export type SettleAction =
  /** The worker wrote the result: nothing to do for the chunk. */
  | 'already-final'
  /** The outcome belongs to an older attempt: the current one is left alone. */
  | 'stale'
  /** Back to ready, waiting for a slot (announced at once when it gets one). */
  | 'requeued'
  /** Its attempts are used up: the chunk failed. */
  | 'failed';

/** What became of a chunk attempt, and the run if that closed it. */
export interface SettleResult {
  readonly action: SettleAction;
  readonly chunk: ChunkRow;
  readonly closedRun?: RunRow;
  /** Waiting chunks announced for the slots free after the settle. */
  readonly announced?: number;
}

/** How a settle behaves. */
export interface SettleOptions {
  /**
   * Announce the waiting chunks that get the freed slot (default). reconcile settles many attempts
   * in one tick and announces once, after all of them.
   */
  readonly announce?: boolean;
}

/** Events EventBridge did not take after the publisher's own retries; the delivery is retried. */
export class PublishFailedError extends TransientError {
  readonly eventIds: readonly string[];

  constructor(message: string, eventIds: readonly string[], options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'PublishFailed', ...options, details: { ...options.details, eventIds } });
    this.eventIds = eventIds;
  }
}

/**
 * Publishes the events; any that EventBridge still refused after the publisher's retries make a
 * transient PublishFailedError, so the delivery that asked for them is retried (the ledger makes
 * the repeat harmless).
 */
export async function publishAll(publisher: Pick<EventPublisher, 'publish'>, events: readonly PublishableEvent[]): Promise<void> {
  if (events.length === 0) return;
  const result = await publisher.publish(events);
  if (result.failed.length === 0) return;
  const ids = result.failed.map((failure) => failure.id);
  const first = result.failed[0];
  throw new PublishFailedError(
    `${result.failed.length} of ${events.length} event(s) were not published: ${result.failed.map((failure) => `${failure.id} (${failure.errorCode})`).join(', ')}`,
    ids,
    { cause: first?.error },
  );
}

/**
 * Publishes `vectorsync.chunk.ready` for the waiting chunks that would get the pool's free slots
 * now, oldest run first, and answers them. Called whenever a slot may have freed (an attempt
 * settled, requeued or failed) and when a run is chunked, so the pool stays busy without waiting
 * for reconcile. Two callers may announce the same chunk: dispatch takes its slot once.
 */
export async function announceWaitingChunks(deps: Pick<LifecycleDeps, 'ledger' | 'publisher' | 'maxChunksInFlight'>): Promise<ChunkRow[]> {
  const waiting = await deps.ledger.nextWaitingChunks(deps.maxChunksInFlight);
  await publishAll(deps.publisher, waiting.map((chunk) => chunkReadyEvent(chunk.run_id, chunk.chunk_no, chunk.attempts)));
  return waiting;
}

/**
 * Publishes `vectorsync.run.completed` for a final run whose completion the caller has claimed,
 * then confirms the claim. A failed publish releases the claim (so a retry or reconcile can
 * publish) and is rethrown; if even the release fails, reconcile takes the claim over later.
 */
export async function announceCompletion(deps: Pick<LifecycleDeps, 'ledger' | 'publisher' | 'log'>, run: RunRow): Promise<void> {
  const outcome = run.state === 'completed' ? 'completed' : 'failed';
  try {
    await publishAll(deps.publisher, [runCompletedEvent(run.run_id, outcome)]);
  } catch (error) {
    await deps.ledger.releaseCompletion(run.run_id).catch((releaseError: unknown) => {
      deps.log.warn('releasing the completion claim failed; reconcile will take it over', { runId: run.run_id, error: describeError(releaseError) });
    });
    throw error;
  }
  await deps.ledger.confirmCompletion(run.run_id);
}

/**
 * Completes the run once every chunk is final and, for the one caller that claims the completion,
 * publishes `vectorsync.run.completed` and logs the run's figures. Returns the run when this call
 * closed it, else undefined (chunks still open, or another call got there first).
 */
export async function closeRunIfDone(deps: Pick<LifecycleDeps, 'ledger' | 'publisher' | 'log'>, runId: string): Promise<RunRow | undefined> {
  const run = await deps.ledger.completeRun(runId);
  if (run.state !== 'completed' && run.state !== 'failed') return undefined;
  if (!(await deps.ledger.claimCompletion(runId))) return undefined;
  await announceCompletion(deps, run);
  // One line per closed run; the full report is built once, by notify.
  deps.log.info('run closed', {
    runId,
    op: run.op,
    outcome: run.state,
    ...(run.error ? { error: run.error } : {}),
    chunks: run.chunk_count ?? 0,
    counts: { received: run.ids_total, upserted: run.upserted, deleted: run.deleted, unchanged: run.skipped, rejected: run.rejected, failed: run.failed },
    durationMs: (run.completed_at ?? run.failed_at ?? new Date()).getTime() - run.accepted_at.getTime(),
  });
  return run;
}

function describeOutcome(outcome: AttemptOutcome): string {
  const exit = outcome.exitCode === undefined ? 'no exit code' : `exit code ${outcome.exitCode}`;
  const code = outcome.errorCode ? ` (${outcome.errorCode})` : '';
  return `attempt ${outcome.commandId} ended ${outcome.status} with ${exit}${code} without writing its result`;
}

/** A chunk that is final now: its slot is free for a waiting chunk, and its run may close. */
async function finalChunk(deps: LifecycleDeps, action: 'already-final' | 'failed', chunk: ChunkRow, options: SettleOptions): Promise<SettleResult> {
  const closedRun = await closeRunIfDone(deps, chunk.run_id);
  const announced = options.announce === false ? undefined : (await announceWaitingChunks(deps)).length;
  return { action, chunk, ...(announced === undefined ? {} : { announced }), ...(closedRun ? { closedRun } : {}) };
}

/**
 * Settles a chunk attempt whose Cloud Assistant invocation is final. If the ledger already shows
 * the chunk final (the worker wrote its result) nothing changes for the chunk; otherwise the worker
 * died or failed first and the attempt is requeued (or the chunk fails at the attempt limit). Then
 * the run is closed if every chunk is final.
 */
export async function settleChunkAttempt(deps: LifecycleDeps, chunk: ChunkRow, outcome: AttemptOutcome, options: SettleOptions = {}): Promise<SettleResult> {
  if (chunk.state === 'succeeded' || chunk.state === 'failed') return finalChunk(deps, 'already-final', chunk, options);
  if (chunk.command_id !== outcome.commandId) return { action: 'stale', chunk };
  return requeueLostAttempt(deps, chunk, outcome.commandId, describeOutcome(outcome), options);
}

/**
 * Takes back the chunk's current attempt `commandId`, which died without writing its result:
 * under the attempt limit the chunk goes back to ready and waits for a slot; at the limit it fails
 * and the run may close. Either way its slot is free, and chunk.ready is published for the waiting
 * chunks that get the free slots (the requeued one among them when it is the oldest). An older
 * attempt changes nothing.
 */
export async function requeueLostAttempt(deps: LifecycleDeps, chunk: ChunkRow, commandId: string, reason: string, options: SettleOptions = {}): Promise<SettleResult> {
  const moved = await deps.ledger.requeueAttempt(chunk.run_id, chunk.chunk_no, commandId, reason, deps.maxChunkAttempts);
  const log = deps.log.child({ runId: chunk.run_id, chunkNo: chunk.chunk_no });
  if (moved.state === 'ready') {
    log.warn('chunk attempt lost; chunk requeued', { commandId, reason, attempts: moved.attempts });
    if (options.announce === false) return { action: 'requeued', chunk: moved };
    return { action: 'requeued', chunk: moved, announced: (await announceWaitingChunks(deps)).length };
  }
  if (moved.state === 'failed' && moved.command_id === commandId) {
    log.warn('chunk attempt lost and attempts used up; chunk failed', { commandId, reason, attempts: moved.attempts });
    return finalChunk(deps, 'failed', moved, options);
  }
  if (moved.state === 'succeeded' || moved.state === 'failed') return finalChunk(deps, 'already-final', moved, options);
  log.info('outcome of an older attempt; the current attempt is left alone', { commandId, current: moved.command_id });
  return { action: 'stale', chunk: moved };
}
