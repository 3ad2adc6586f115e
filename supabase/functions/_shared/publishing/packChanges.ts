import { ChangeEvent } from '../constants.ts';
import type { PackedChange } from './types.ts';

const encoder = new TextEncoder();

/** Settings of the packing. */
export interface PackOptions {
  readonly index: string;
  readonly maxIds?: number;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

/**
 * Packs coalesced document ids into `vectorsync.changes.published` events of at most 500 ids;
 * each event keeps the msg_ids of its ids, so only the messages of accepted events are deleted.
 */
export function packChanges(byId: ReadonlyMap<string, readonly bigint[]>, options: PackOptions): PackedChange[] {
  const maxIds = options.maxIds ?? ChangeEvent.maxIds;
  const newId = options.newId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const entries = [...byId.entries()];
  const packed: PackedChange[] = [];
  for (let start = 0; start < entries.length; start += maxIds) {
    const slice = entries.slice(start, start + maxIds);
    const id = newId();
    const event = {
      id,
      source: ChangeEvent.source,
      type: ChangeEvent.type,
      specversion: ChangeEvent.specversion,
      datacontenttype: ChangeEvent.datacontenttype,
      time: now().toISOString(),
      data: { batchId: id, index: options.index, changes: slice.map(([documentId]) => ({ id: documentId })) },
    };
    packed.push({ event, msgIds: slice.flatMap(([, msgIds]) => msgIds), bytes: encoder.encode(JSON.stringify(event)).length });
  }
  return packed;
}
