import * as z from 'zod';
import { EventSource, EventType } from './constants';
import { cloudEventOf } from './cloud-event';
import { ChunkNoSchema, RunIdSchema } from './identifiers';

/** `data` of `vectorsync.chunk.ready`: a pointer to one recorded chunk of a run. */
export const ChunkReadyDataSchema = z.strictObject({ runId: RunIdSchema, chunkNo: ChunkNoSchema });
export type ChunkReadyData = z.infer<typeof ChunkReadyDataSchema>;

/** `vectorsync.chunk.ready` as delivered to dispatch. */
export const ChunkReadyEventSchema = cloudEventOf(EventType.ChunkReady, EventSource.Pipeline, ChunkReadyDataSchema);
export type ChunkReadyEvent = z.infer<typeof ChunkReadyEventSchema>;
