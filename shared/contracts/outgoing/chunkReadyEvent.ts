import { EventSource, EventType } from '../constants';
import type { ChunkReadyData } from '../chunk-events';
import type { OutgoingEvent } from './types';

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
