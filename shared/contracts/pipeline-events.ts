// The events the pipeline's own functions publish to each other (source vectorsync.pipeline), each
// schema beside the builder that makes it. Ids are deterministic, so a redelivery or a resend is
// recognisably the same event; EventBridge takes only letters, digits and `-` in an id.
import * as z from 'zod';
import { EventSource, EventType } from './constants';
import { cloudEventOf } from './envelopes';
import { ChunkNoSchema, RunIdSchema } from './identifiers';

/** An event the pipeline publishes, in the shape EventBridge's publisher takes (`PublishableEvent`). */
export interface OutgoingEvent<TType extends string = string, TData = unknown> {
  readonly id: string;
  readonly type: TType;
  readonly source: string;
  readonly subject: string;
  readonly data: TData;
}

/** `data` of `vectorsync.run.accepted`: the run the ledger opened. */
export const RunAcceptedDataSchema = z.strictObject({ runId: RunIdSchema });
export type RunAcceptedData = z.infer<typeof RunAcceptedDataSchema>;
/** `vectorsync.run.accepted` as delivered to chunk. */
export const RunAcceptedEventSchema = cloudEventOf(EventType.RunAccepted, EventSource.Pipeline, RunAcceptedDataSchema);
export type RunAcceptedEvent = z.infer<typeof RunAcceptedEventSchema>;

/** `vectorsync.run.accepted` for a run, id `<runId>-accepted`. */
export function runAcceptedEvent(runId: string): OutgoingEvent<typeof EventType.RunAccepted, RunAcceptedData> {
  return { id: `${runId}-accepted`, type: EventType.RunAccepted, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId } };
}

/** `data` of `vectorsync.chunk.ready`: a pointer to one recorded chunk of a run. */
export const ChunkReadyDataSchema = z.strictObject({ runId: RunIdSchema, chunkNo: ChunkNoSchema });
export type ChunkReadyData = z.infer<typeof ChunkReadyDataSchema>;
/** `vectorsync.chunk.ready` as delivered to dispatch. */
export const ChunkReadyEventSchema = cloudEventOf(EventType.ChunkReady, EventSource.Pipeline, ChunkReadyDataSchema);
export type ChunkReadyEvent = z.infer<typeof ChunkReadyEventSchema>;

/**
 * `vectorsync.chunk.ready` for the next attempt of a chunk, id `<runId>-<chunkNo>-<attempts + 1>`:
 * `attempts` is the chunk's count when it is published, so a re-dispatch after a requeue is a new
 * event while a resend of the same attempt is the same one.
 */
export function chunkReadyEvent(runId: string, chunkNo: number, attempts: number): OutgoingEvent<typeof EventType.ChunkReady, ChunkReadyData> {
  return {
    id: `${runId}-${chunkNo}-${attempts + 1}`,
    type: EventType.ChunkReady,
    source: EventSource.Pipeline,
    subject: `runs/${runId}/chunks/${chunkNo}`,
    data: { runId, chunkNo },
  };
}

/** `data` of `vectorsync.stats.requested`: a run collect-stats should look at (close it if it is done). */
export const StatsRequestedDataSchema = z.strictObject({ runId: RunIdSchema });
export type StatsRequestedData = z.infer<typeof StatsRequestedDataSchema>;
/** `vectorsync.stats.requested` (from reconcile, chunk or an operator) as delivered to collect-stats. */
export const StatsRequestedEventSchema = cloudEventOf(EventType.StatsRequested, EventSource.Pipeline, StatsRequestedDataSchema);
export type StatsRequestedEvent = z.infer<typeof StatsRequestedEventSchema>;

/**
 * `vectorsync.stats.requested` (a nudge for collect-stats), id `<runId>-stats-<nudge>`. `nudge`
 * names the occasion (a time bucket such as the timer's trigger time, or `chunked`); characters
 * EventBridge refuses in an id are dropped and it is cut to 64 characters.
 */
export function statsRequestedEvent(runId: string, nudge: string): OutgoingEvent<typeof EventType.StatsRequested, StatsRequestedData> {
  const tag = nudge.replace(/[^A-Za-z0-9-]/gu, '').slice(0, 64) || 'nudge';
  return { id: `${runId}-stats-${tag}`, type: EventType.StatsRequested, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId } };
}

/** `data` of `vectorsync.run.completed`: the run and how it ended. */
export const RunCompletedDataSchema = z.strictObject({
  runId: RunIdSchema,
  outcome: z.enum(['completed', 'failed'], { message: 'outcome must be "completed" or "failed"' }),
});
export type RunCompletedData = z.infer<typeof RunCompletedDataSchema>;
/** `vectorsync.run.completed` as delivered to notify. */
export const RunCompletedEventSchema = cloudEventOf(EventType.RunCompleted, EventSource.Pipeline, RunCompletedDataSchema);
export type RunCompletedEvent = z.infer<typeof RunCompletedEventSchema>;

/** `vectorsync.run.completed` for a final run, id `<runId>-completed`. */
export function runCompletedEvent(runId: string, outcome: RunCompletedData['outcome']): OutgoingEvent<typeof EventType.RunCompleted, RunCompletedData> {
  return { id: `${runId}-completed`, type: EventType.RunCompleted, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId, outcome } };
}
