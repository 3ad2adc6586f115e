import * as z from 'zod';
import { EventSource, EventType, Limits, RunOp } from './constants';
import { cloudEventOf } from './cloud-event';
import { DocumentIdSchema, IndexNameSchema, RunIdSchema } from './identifiers';

const RequestedBySchema = z.string().min(1).max(128).optional();

/** `data` of a manual `vectorsync.run.requested`: one of the three operations. */
export const RunRequestedDataSchema = z.discriminatedUnion(
  'op',
  [
    z.strictObject({
      op: z.literal(RunOp.Sync),
      index: IndexNameSchema,
      ids: z
        .array(DocumentIdSchema)
        .min(1, 'ids is empty: a sync run needs at least one id')
        .max(Limits.maxIdsPerEvent, `ids holds more than ${Limits.maxIdsPerEvent} ids`),
      requestedBy: RequestedBySchema,
    }),
    z.strictObject({ op: z.literal(RunOp.Rebuild), index: IndexNameSchema, requestedBy: RequestedBySchema }),
    z.strictObject({
      op: z.literal(RunOp.Verify),
      index: IndexNameSchema,
      heal: z.boolean().default(true),
      requestedBy: RequestedBySchema,
    }),
  ],
  { message: 'op must be "sync", "rebuild" or "verify"' },
);
export type RunRequestedData = z.infer<typeof RunRequestedDataSchema>;

/** `vectorsync.run.requested` as delivered to validate. */
export const RunRequestedEventSchema = cloudEventOf(EventType.RunRequested, EventSource.Manual, RunRequestedDataSchema);
export type RunRequestedEvent = z.infer<typeof RunRequestedEventSchema>;

/** `data` of `vectorsync.run.accepted`: the run the ledger opened. */
export const RunAcceptedDataSchema = z.strictObject({ runId: RunIdSchema });
export type RunAcceptedData = z.infer<typeof RunAcceptedDataSchema>;
export const RunAcceptedEventSchema = cloudEventOf(EventType.RunAccepted, EventSource.Pipeline, RunAcceptedDataSchema);
export type RunAcceptedEvent = z.infer<typeof RunAcceptedEventSchema>;

/** `data` of `vectorsync.run.completed`: the run and how it ended. */
export const RunCompletedDataSchema = z.strictObject({
  runId: RunIdSchema,
  outcome: z.enum(['completed', 'failed'], { message: 'outcome must be "completed" or "failed"' }),
});
export type RunCompletedData = z.infer<typeof RunCompletedDataSchema>;
export const RunCompletedEventSchema = cloudEventOf(EventType.RunCompleted, EventSource.Pipeline, RunCompletedDataSchema);
export type RunCompletedEvent = z.infer<typeof RunCompletedEventSchema>;
