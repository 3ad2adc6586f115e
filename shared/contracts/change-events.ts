import * as z from 'zod';
import { EventSource, EventType } from './constants.ts';
import { cloudEventOf } from './envelopes.ts';
import { IndexNameSchema } from './identifiers.ts';

const UuidSchema = z.uuid({ message: 'batchId must be a UUID' });

/** Most ids one change batch may hold (PUBLISH_MAX_IDS is at most this). */
export const MAX_IDS_PER_BATCH = 100_000;

/**
 * `data` of `vectorsync.changes.published`: a claim check. The ids are in the ledger's change batch
 * (`vector_sync.change_batches`); the event names it and says how many ids it holds, so the event
 * stays small whatever the batch size (validate refuses a count that differs from the batch).
 */
export const ChangesPublishedDataSchema = z.strictObject({
  batchId: UuidSchema,
  index: IndexNameSchema,
  count: z
    .number()
    .int('count must be a whole number')
    .min(1, 'count must be at least 1')
    .max(MAX_IDS_PER_BATCH, `count must be at most ${MAX_IDS_PER_BATCH}`),
});
export type ChangesPublishedData = z.infer<typeof ChangesPublishedDataSchema>;

/** `vectorsync.changes.published` as delivered to validate. */
export const ChangesPublishedEventSchema = cloudEventOf(
  EventType.ChangesPublished,
  EventSource.SupabaseEdge,
  ChangesPublishedDataSchema,
);
export type ChangesPublishedEvent = z.infer<typeof ChangesPublishedEventSchema>;
