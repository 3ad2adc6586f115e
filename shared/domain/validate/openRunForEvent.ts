import { EventType, RunOp } from '../../contracts';
import type { ChangesPublishedData, RunRequestedData } from '../../contracts';
import type { Ledger, RunRow } from '../../ledger';
import { NoActiveIndexError } from './errors';
import { generationName } from './generationName';

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

/**
 * Opens the run an event asks for, keyed by the event id (a redelivery returns the same run).
 * Changes and manual syncs and verifies target the active generation; a rebuild registers a new
 * generation (same shape as the active one, or the defaults) that becomes active only once loaded.
 */
export async function openRunForEvent(ledger: Ledger, source: RunSource, defaults: IndexDefaults): Promise<RunRow> {
  const logical = source.data.index;
  if (source.type === EventType.RunRequested && source.data.op === RunOp.Rebuild) {
    const active = await ledger.activeIndex(logical);
    const shape = active ?? defaults;
    const generation = await ledger.registerIndex({ indexName: generationName(logical, source.id), logicalName: logical, bucket: shape.bucket, dimension: shape.dimension, metric: shape.metric });
    return ledger.openRun({ sourceEventId: source.id, op: RunOp.Rebuild, indexName: generation.index_name, ...requestedBy(source.data) });
  }
  const active = await ledger.activeIndex(logical);
  if (active === undefined) throw new NoActiveIndexError(`index ${logical} has no active generation; run a rebuild first`, { details: { index: logical, eventId: source.id } });
  if (source.type === EventType.ChangesPublished) {
    const ids = [...new Set(source.data.changes.map((change) => change.id))];
    return ledger.openRun({ sourceEventId: source.id, op: RunOp.Sync, indexName: active.index_name, ids, requestedBy: 'supabase.edge' });
  }
  const data = source.data;
  if (data.op === RunOp.Sync) return ledger.openRun({ sourceEventId: source.id, op: RunOp.Sync, indexName: active.index_name, ids: [...new Set(data.ids)], ...requestedBy(data) });
  return ledger.openRun({ sourceEventId: source.id, op: RunOp.Verify, indexName: active.index_name, ...requestedBy(data) });
}

function requestedBy(data: RunRequestedData): { requestedBy?: string } {
  return data.requestedBy === undefined ? {} : { requestedBy: data.requestedBy };
}
