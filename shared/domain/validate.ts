// validate: a change batch from Supabase or a manual request opens a run in the ledger (keyed by
// the event id) and is announced with vectorsync.run.accepted.
import { createHash } from 'node:crypto';
import type { EventPublisher } from '../clients/eventbridge';
import { EventType, RunOp, runAcceptedEvent } from '../contracts';
import type { ChangesPublishedData, RunRequestedData, SearchParams, VerifyParams } from '../contracts';
import { PermanentError } from '../errors';
import type { Ledger, RunRow } from '../ledger';
import { publishAll } from './lifecycle';

/** A rebuild was asked for while another rebuild of the same index is still running: refused, not queued. */
export class RebuildInProgressError extends PermanentError {}

/** A sync or verify run names a logical index that has no active generation yet (run a rebuild first). */
export class NoActiveIndexError extends PermanentError {}

/** What a first rebuild creates when the logical index has no generation yet. */
export interface IndexDefaults {
  readonly bucket: string;
  readonly dimension: number;
  readonly metric: 'cosine' | 'euclidean';
}

/** A checked event that starts a run: its CloudEvent id and type, and its data. */
export type RunSource =
  | { readonly id: string; readonly type: typeof EventType.ChangesPublished; readonly data: ChangesPublishedData }
  | { readonly id: string; readonly type: typeof EventType.RunRequested; readonly data: RunRequestedData };

/** What validate needs. */
export interface AcceptRunDeps {
  readonly ledger: Ledger;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  readonly defaults: IndexDefaults;
}

/** What validate answers. */
export interface AcceptRunResult {
  readonly runId: string;
  readonly op: string;
  readonly indexName: string;
  readonly state: string;
  /** False when a redelivery found the run already past 'accepted'. */
  readonly announced: boolean;
}

/**
 * The physical index a rebuild loads: the logical name plus `r` and 10 hex digits of the event id,
 * so a redelivered rebuild event registers the same generation instead of a second one. OSS
 * index names take letters and digits only, at most 63 characters.
 */
export function generationName(logicalName: string, sourceEventId: string): string {
  const suffix = `r${createHash('sha256').update(sourceEventId).digest('hex').slice(0, 10)}`;
  return `${logicalName.slice(0, 63 - suffix.length)}${suffix}`;
}

function requestedBy(data: RunRequestedData): { requestedBy?: string } {
  return data.requestedBy === undefined ? {} : { requestedBy: data.requestedBy };
}

/**
 * Opens the run an event asks for, keyed by the event id (a redelivery returns the same run). A
 * rebuild is refused while another rebuild of the same index is still running.
 * A change batch opens its sync run from the ledger (one run per batch); changes, manual syncs,
 * verifies and searches target the active generation (a verify's heal flag and a search's queries
 * are kept as the run's params); a rebuild registers a new generation (same shape as the active
 * one, or the defaults) that becomes active only once loaded.
 */
export async function openRunForEvent(ledger: Ledger, source: RunSource, defaults: IndexDefaults): Promise<RunRow> {
  if (source.type === EventType.RunRequested && source.data.op === RunOp.Rebuild) return openRebuild(ledger, source.id, source.data, defaults);
  const logical = source.data.index;
  const active = await ledger.activeIndex(logical);
  if (active === undefined) throw new NoActiveIndexError(`index ${logical} has no active generation; run a rebuild first`, { details: { index: logical, eventId: source.id } });
  const opening = { sourceEventId: source.id, indexName: active.index_name };
  if (source.type === EventType.ChangesPublished) {
    // A claim check: the ids are in the ledger's batch, which becomes the run's items.
    return ledger.openBatchRun({ ...opening, batchId: source.data.batchId, idCount: source.data.count, requestedBy: 'supabase.edge' });
  }
  const data = source.data;
  switch (data.op) {
    case RunOp.Sync:
      return ledger.openRun({ ...opening, op: RunOp.Sync, ids: [...new Set(data.ids)], ...requestedBy(data) });
    case RunOp.Verify: {
      const params: VerifyParams = { heal: data.heal };
      return ledger.openRun({ ...opening, op: RunOp.Verify, params, ...requestedBy(data) });
    }
    case RunOp.Search: {
      const params: SearchParams = { queries: data.queries, topK: data.topK, recall: data.recall, passages: data.passages, ...(data.filter === undefined ? {} : { filter: data.filter }) };
      return ledger.openRun({ ...opening, op: RunOp.Search, params, ...requestedBy(data) });
    }
    default:
      return openRebuild(ledger, source.id, data, defaults);
  }
}

/**
 * Opens a rebuild: registers its generation (the shape of the active one, or the defaults) and the
 * run in one transaction, refused while another rebuild of the same index is still running.
 */
async function openRebuild(ledger: Ledger, sourceEventId: string, data: RunRequestedData, defaults: IndexDefaults): Promise<RunRow> {
  const logical = data.index;
  const active = await ledger.activeIndex(logical);
  const shape = active ?? defaults;
  // One transaction: a run the ledger refuses (e.g. the event id already names another run)
  // must not leave its new generation behind as 'building', where syncs would keep writing.
  return ledger.transaction(async (tx) => {
    // One rebuild of an index at a time: a later request (another event id) is refused with the
    // running one's id, while a redelivery of the running one's own event finds its run.
    await tx.lockRebuildsOf(logical);
    if ((await tx.runOfEvent(sourceEventId)) === undefined) {
      const running = await tx.openRebuildOf(logical);
      if (running) {
        throw new RebuildInProgressError(
          `a rebuild of index ${logical} is already running (run ${running.run_id}, ${running.state} since ${running.accepted_at.toISOString()}); ask again once it has finished`,
          { code: 'RebuildInProgress', details: { index: logical, eventId: sourceEventId, runningRunId: running.run_id } },
        );
      }
    }
    const generation = await tx.registerIndex({ indexName: generationName(logical, sourceEventId), logicalName: logical, bucket: shape.bucket, dimension: shape.dimension, metric: shape.metric });
    return tx.openRun({ sourceEventId, op: RunOp.Rebuild, indexName: generation.index_name, ...requestedBy(data) });
  });
}

/**
 * Opens the run an event asks for (keyed by the event id, so a redelivery finds the same run; the
 * handler's route check made sure it came on its route's bus) and
 * announces it with `vectorsync.run.accepted`. The announcement is repeated while the run is still
 * 'accepted' (an earlier publish may have failed) and never once chunk has taken it.
 */
export async function acceptRun(deps: AcceptRunDeps, source: RunSource): Promise<AcceptRunResult> {
  const run = await openRunForEvent(deps.ledger, source, deps.defaults);
  const announced = run.state === 'accepted';
  if (announced) await publishAll(deps.publisher, [runAcceptedEvent(run.run_id)]);
  return { runId: run.run_id, op: run.op, indexName: run.index_name, state: run.state, announced };
}
