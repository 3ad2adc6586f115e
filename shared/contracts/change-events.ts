import * as z from 'zod';
import { EventSource, EventType, Limits } from './constants.ts';
import { cloudEventOf } from './envelopes.ts';
import { DocumentIdSchema, IndexNameSchema } from './identifiers.ts';

/** One changed document: a pointer only; the operation is decided from the current row. */
export const ChangeSchema = z.strictObject({ id: DocumentIdSchema });

/** `data` of `vectorsync.changes.published`: a batch of changed ids from the outbox queue. */
export const ChangesPublishedDataSchema = z.strictObject({
  batchId: z.string().min(1, 'batchId is empty').max(128, 'batchId is longer than 128 characters'),
  index: IndexNameSchema,
  changes: z
    .array(ChangeSchema)
    .min(1, 'changes is empty')
    .max(Limits.maxIdsPerEvent, `changes holds more than ${Limits.maxIdsPerEvent} ids`),
});
export type ChangesPublishedData = z.infer<typeof ChangesPublishedDataSchema>;

/** `vectorsync.changes.published` as delivered to validate. */
export const ChangesPublishedEventSchema = cloudEventOf(
  EventType.ChangesPublished,
  EventSource.SupabaseEdge,
  ChangesPublishedDataSchema,
);
export type ChangesPublishedEvent = z.infer<typeof ChangesPublishedEventSchema>;
