// Events an operator sends (`s invoke`, `npm run invoke`, the event script): source vectorsync.manual.
import * as z from 'zod';
import { EventSource, EventType, Limits, RunOp } from './constants';
import { cloudEventOf } from './envelopes';
import { DocumentIdSchema, IndexNameSchema } from './identifiers';
import { RECALL_WITH_FILTER, recallWithoutFilter, searchParamsShape } from './run-params';

/** Who asked (an e-mail or a name): printable text, since it reaches the ledger, logs and the report. */
const RequestedBySchema = z
  .string()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .refine((value) => !/[\u0000-\u001f\u007f]/u.test(value), { message: 'requestedBy must not contain control characters (NUL, newline, …)' })
  .optional();

/** `data` of a manual `vectorsync.run.requested`: one of the four operations. */
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
    z.strictObject({ op: z.literal(RunOp.Search), index: IndexNameSchema, ...searchParamsShape, requestedBy: RequestedBySchema }).refine(recallWithoutFilter, RECALL_WITH_FILTER),
  ],
  { message: 'op must be "sync", "rebuild", "verify" or "search"' },
);
export type RunRequestedData = z.infer<typeof RunRequestedDataSchema>;

/** `vectorsync.run.requested` as delivered to validate. */
export const RunRequestedEventSchema = cloudEventOf(EventType.RunRequested, EventSource.Manual, RunRequestedDataSchema);
export type RunRequestedEvent = z.infer<typeof RunRequestedEventSchema>;

/** `data` of a manual `vectorsync.digest.requested`: send one index's digest of one window (again). */
export const DigestRequestedDataSchema = z.strictObject({
  index: IndexNameSchema,
  /** The start of the window, as the digest's subject and archive name it. */
  windowStart: z.iso.datetime({ offset: true, message: 'windowStart must be an ISO 8601 date-time such as 2026-12-04T10:00:00Z' }),
  requestedBy: RequestedBySchema,
});
export type DigestRequestedData = z.infer<typeof DigestRequestedDataSchema>;

/** `vectorsync.digest.requested` as delivered to notify. */
export const DigestRequestedEventSchema = cloudEventOf(EventType.DigestRequested, EventSource.Manual, DigestRequestedDataSchema);
export type DigestRequestedEvent = z.infer<typeof DigestRequestedEventSchema>;
