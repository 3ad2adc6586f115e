// reconcile (timer trigger): recovers silent chunks, closes runs whose close was lost, resends lost
// chunk.ready and run.completed events, announces waiting chunks to free slots and nudges
// collect-stats. Every step is
// idempotent and bounded per tick.
import { CloudAssistantRequestError } from '../clients/cloud-assistant';
import type { CloudAssistantClient, InstanceInvocationResult } from '../clients/cloud-assistant';
import { chunkReadyEvent, statsRequestedEvent } from '../contracts';
import { describeError } from '../errors';
import type { ChunkRow } from '../ledger';
import { announceCompletion, announceWaitingChunks, closeRunIfDone, publishAll, requeueLostAttempt, settleChunkAttempt } from './lifecycle';
import type { LifecycleDeps, SettleOptions, SettleResult } from './lifecycle';

/** How much one reconcile tick does at most, so a backlog is worked off over several ticks. */
const ReconcileLimits = {
  silentChunks: 50,
  staleReadyChunks: 100,
  unpublishedCompletions: 50,
  runsToClose: 50,
  abandonedGenerations: 20,
  /** Problems kept in the tick's summary (the rest are only counted). */
  reportedErrors: 20,
} as const;

/** What a reconcile tick needs besides the life-cycle's dependencies. */
export interface ReconcileDeps extends LifecycleDeps {
  readonly cloud: Pick<CloudAssistantClient, 'describeInvocationResults'>;
  readonly settings: {
    /** The RunCommand Timeout the dispatcher sets. */
    readonly runCommandTimeoutSeconds: number;
    /** Added to the timeout before a chunk counts as silent; also the grace of a completion claim. */
    readonly graceSeconds: number;
    /** How long a chunk may sit in ready with its attempt planned before its chunk.ready is published again. */
    readonly readyStaleSeconds: number;
  };
}

/** One thing a tick could not do; the next tick tries again. */
export interface ReconcileProblem {
  readonly step: 'silent' | 'close' | 'ready' | 'waiting' | 'completion' | 'retire' | 'nudge';
  readonly runId?: string;
  readonly chunkNo?: number;
  readonly code: string;
  readonly message: string;
}

/** The JSON summary a tick answers with. */
export interface ReconcileSummary {
  readonly triggerTime: string;
  readonly silent: { checked: number; requeued: number; failed: number; finished: number; stale: number };
  /** Runs whose chunks were all final but which nobody closed (a lost hand-off), closed now. */
  readonly closed: number;
  readonly readyResent: number;
  /** Waiting chunks announced for free slots (their chunk.ready was lost, or never sent). */
  readonly announced: number;
  readonly completionsPublished: number;
  /** Generations a failed or refused rebuild left building, retired now (the next switch-over drops them). */
  readonly retired: number;
  readonly nudged: number;
  readonly problems: number;
  readonly errors: ReconcileProblem[];
}

/** A caught error as a line of the tick's summary. */
function toProblem(step: ReconcileProblem['step'], error: unknown, where: { runId?: string; chunkNo?: number } = {}): ReconcileProblem {
  const described = describeError(error);
  return { step, ...where, code: described.code ?? described.name, message: described.message };
}

async function lookUp(deps: ReconcileDeps, invokeId: string, instanceId: string): Promise<InstanceInvocationResult | undefined> {
  try {
    const page = await deps.cloud.describeInvocationResults({ invokeId, instanceId });
    return page.items.find((item) => item.instanceId === instanceId);
  } catch (error) {
    // Refused for good (unknown invocation or instance): the attempt is as good as lost.
    if (error instanceof CloudAssistantRequestError) return undefined;
    throw error;
  }
}

/** Settles without announcing: the tick announces waiting chunks once, after every settle (step 3). */
const SETTLE_QUIETLY: SettleOptions = { announce: false };

/**
 * Looks up a chunk that went silent (no TaskCompleted within its timeout plus grace): a finished
 * invocation is settled like a TaskCompleted; one still running past its timeout, or one Cloud
 * Assistant does not know (instance gone), is requeued or failed.
 */
async function checkSilentChunk(deps: ReconcileDeps, chunk: ChunkRow): Promise<SettleResult> {
  const commandId = chunk.command_id;
  if (commandId === null) return { action: 'stale', chunk };
  const requeue = (reason: string): Promise<SettleResult> => requeueLostAttempt(deps, chunk, commandId, reason, SETTLE_QUIETLY);
  if (chunk.invoke_id === null || chunk.instance_id === null) return requeue(`attempt ${commandId} has no invocation recorded`);
  const result = await lookUp(deps, chunk.invoke_id, chunk.instance_id);
  if (result === undefined) return requeue(`invocation ${chunk.invoke_id} on ${chunk.instance_id} is unknown to Cloud Assistant`);
  if (result.final) {
    return settleChunkAttempt(deps, chunk, { commandId, status: result.status, exitCode: result.exitCode, errorCode: result.errorCode || undefined }, SETTLE_QUIETLY);
  }
  return requeue(`invocation ${chunk.invoke_id} is still ${result.status} past its timeout of ${deps.settings.runCommandTimeoutSeconds} s`);
}

/** What the steps of one tick have done so far. */
interface Tick {
  /** Runs to nudge collect-stats for. */
  readonly touched: Set<string>;
  readonly problems: ReconcileProblem[];
}

/** Step 1: every chunk in flight past its timeout plus grace is looked up and settled, requeued or failed. */
async function recoverSilentChunks(deps: ReconcileDeps, { touched, problems }: Tick): Promise<ReconcileSummary['silent']> {
  const counts = { checked: 0, requeued: 0, failed: 0, finished: 0, stale: 0 };
  const { runCommandTimeoutSeconds, graceSeconds } = deps.settings;
  const chunks = await deps.ledger.silentChunks(runCommandTimeoutSeconds + graceSeconds, ReconcileLimits.silentChunks);
  for (const chunk of chunks) {
    counts.checked += 1;
    try {
      const settled = await checkSilentChunk(deps, chunk);
      if (settled.action === 'requeued') counts.requeued += 1;
      else if (settled.action === 'failed') counts.failed += 1;
      else if (settled.action === 'already-final') counts.finished += 1;
      else counts.stale += 1;
      touched.add(chunk.run_id);
    } catch (error) {
      problems.push(toProblem('silent', error, { runId: chunk.run_id, chunkNo: chunk.chunk_no }));
    }
  }
  return counts;
}

/**
 * Step 1b: runs whose chunks have all been final for the grace period but which are still open:
 * the close that should have followed the last chunk was lost (its TaskCompleted, or the
 * stats.requested, never reached collect-stats). They are closed here and their completion is
 * published, once (complete_run and the completion claim make a concurrent close harmless).
 */
async function closeFinishedRuns(deps: ReconcileDeps, { problems }: Tick): Promise<number> {
  const runs = await deps.ledger.runsReadyToClose(deps.settings.graceSeconds, ReconcileLimits.runsToClose);
  let closed = 0;
  for (const run of runs) {
    try {
      if (await closeRunIfDone(deps, run.run_id)) {
        closed += 1;
        deps.log.warn('run closed by reconcile: its chunks were all final but nobody closed it', { runId: run.run_id });
      }
    } catch (error) {
      problems.push(toProblem('close', error, { runId: run.run_id }));
    }
  }
  return closed;
}

/**
 * Step 2: chunks left in ready holding a slot (their attempt was planned, then the dispatch died
 * or its chunk.ready was lost) get chunk.ready again, same id as before.
 */
async function resendStaleReadyChunks(deps: ReconcileDeps, { touched, problems }: Tick): Promise<number> {
  const stale = await deps.ledger.touchStaleReady(deps.settings.readyStaleSeconds, ReconcileLimits.staleReadyChunks);
  if (stale.length === 0) return 0;
  try {
    await publishAll(deps.publisher, stale.map((chunk) => chunkReadyEvent(chunk.run_id, chunk.chunk_no, chunk.attempts)));
  } catch (error) {
    // The chunks were touched: the next attempt comes after another waiting period.
    problems.push(toProblem('ready', error));
    return 0;
  }
  for (const chunk of stale) touched.add(chunk.run_id);
  deps.log.warn('ready chunks published again', { chunks: stale.map((chunk) => `${chunk.run_id}/${chunk.chunk_no}`) });
  return stale.length;
}

/**
 * Step 3: waiting chunks that would get a free slot now are announced: those step 1 freed slots
 * for (announced here once, not after each settle), and those a settler's lost announcement left
 * waiting. A chunk announced twice is harmless.
 */
async function announceToFreeSlots(deps: ReconcileDeps, { touched, problems }: Tick): Promise<number> {
  try {
    const announced = await announceWaitingChunks(deps);
    for (const chunk of announced) touched.add(chunk.run_id);
    if (announced.length > 0) deps.log.info('waiting chunks announced to free slots', { chunks: announced.map((chunk) => `${chunk.run_id}/${chunk.chunk_no}`) });
    return announced.length;
  } catch (error) {
    problems.push(toProblem('waiting', error));
    return 0;
  }
}

/**
 * Step 4: final runs whose run.completed was never published (or whose claim holder died before
 * confirming, past the grace period) are reclaimed and published, once.
 */
async function publishLostCompletions(deps: ReconcileDeps, { problems }: Tick): Promise<number> {
  const grace = deps.settings.graceSeconds;
  const runs = await deps.ledger.unpublishedCompletions(grace, ReconcileLimits.unpublishedCompletions);
  let published = 0;
  for (const run of runs) {
    try {
      if (!(await deps.ledger.reclaimCompletion(run.run_id, grace))) continue;
      await announceCompletion(deps, run);
      published += 1;
      deps.log.warn('lost run completion published', { runId: run.run_id, outcome: run.state });
    } catch (error) {
      problems.push(toProblem('completion', error, { runId: run.run_id }));
    }
  }
  return published;
}

/**
 * Step 4b: generations left `building` with no rebuild open on them for the grace period (their
 * rebuild failed, or was refused after registering them) are retired: no sync writes into them,
 * and the next rebuild's switch-over deletes their OSS index and marks them dropped.
 */
async function retireAbandonedGenerations(deps: ReconcileDeps, { problems }: Tick): Promise<number> {
  try {
    const retired = await deps.ledger.retireAbandonedGenerations(deps.settings.graceSeconds, ReconcileLimits.abandonedGenerations);
    if (retired.length > 0) deps.log.warn('abandoned generations retired; the next switch-over drops them', { generations: retired.map((index) => index.index_name) });
    return retired.length;
  } catch (error) {
    problems.push(toProblem('retire', error));
    return 0;
  }
}

/** Step 5: asks collect-stats to look at every run the tick touched; one id per run and tick. */
async function nudgeRuns(deps: ReconcileDeps, { touched, problems }: Tick, tag: string): Promise<number> {
  if (touched.size === 0) return 0;
  try {
    await publishAll(deps.publisher, [...touched].map((runId) => statsRequestedEvent(runId, tag)));
    return touched.size;
  } catch (error) {
    problems.push(toProblem('nudge', error));
    return 0;
  }
}

/** The tick's tag in event ids: the trigger time's digits (one nudge per run and tick). */
function tickTag(triggerTime: string): string {
  return triggerTime.replace(/\D/gu, '').slice(0, 17) || 'tick';
}

/**
 * One reconcile tick: recovers silent chunks, closes runs whose chunks are all final but which are
 * still open, resends lost chunk.ready events, announces waiting
 * chunks to free slots, publishes lost run completions, retires generations abandoned by failed
 * rebuilds and nudges collect-stats for every run it
 * touched. A problem with one item is kept in the summary and the rest goes on (the next tick
 * tries again).
 */
export async function reconcile(deps: ReconcileDeps, tick: { readonly triggerTime: string }): Promise<ReconcileSummary> {
  const state: Tick = { touched: new Set(), problems: [] };
  const silent = await recoverSilentChunks(deps, state);
  const closed = await closeFinishedRuns(deps, state);
  const readyResent = await resendStaleReadyChunks(deps, state);
  const announced = await announceToFreeSlots(deps, state);
  const completionsPublished = await publishLostCompletions(deps, state);
  const retired = await retireAbandonedGenerations(deps, state);
  const nudged = await nudgeRuns(deps, state, tickTag(tick.triggerTime));
  const { problems } = state;
  return {
    triggerTime: tick.triggerTime,
    silent,
    closed,
    readyResent,
    announced,
    completionsPublished,
    retired,
    nudged,
    problems: problems.length,
    errors: problems.slice(0, ReconcileLimits.reportedErrors),
  };
}
