import * as z from 'zod';
import { EventSource, EventType } from './constants';
import { cloudEventOf } from './cloud-event';
import { RunIdSchema } from './identifiers';

/** `data` of `vectorsync.stats.requested`: a run collect-stats should look at (close it if it is done). */
export const StatsRequestedDataSchema = z.strictObject({ runId: RunIdSchema });
export type StatsRequestedData = z.infer<typeof StatsRequestedDataSchema>;

/** `vectorsync.stats.requested` (from reconcile, chunk or an operator) as delivered to collect-stats. */
export const StatsRequestedEventSchema = cloudEventOf(EventType.StatsRequested, EventSource.Pipeline, StatsRequestedDataSchema);
export type StatsRequestedEvent = z.infer<typeof StatsRequestedEventSchema>;
