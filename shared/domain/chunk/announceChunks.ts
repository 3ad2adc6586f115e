import type { Sql } from 'postgres';
import type { EventPublisher } from '../../clients/eventbridge';
import { chunkReadyEvent, statsRequestedEvent } from '../../contracts';
import { Ledger } from '../../ledger';
import { publishAll } from '../collect/publishAll';
import { chunkRun } from './chunkRun';
import type { ChunkSizes } from './planChunks';

/** What chunk needs. */
export interface AnnounceChunksDeps {
  readonly sql: Sql;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  readonly sizes: ChunkSizes;
}

/** What chunk answers. */
export interface AnnounceChunksResult {
  readonly runId: string;
  readonly chunks: number;
  readonly announced: number;
  readonly skipped?: string;
}

/**
 * Cuts an accepted run into chunks (once: chunkRun is idempotent) and publishes one
 * `vectorsync.chunk.ready` per chunk still waiting in 'ready'; a redelivery announces only those.
 * A run with nothing to do gets a stats request instead, so collect-stats closes it.
 */
export async function announceChunks(deps: AnnounceChunksDeps, runId: string): Promise<AnnounceChunksResult> {
  const run = await new Ledger(deps.sql).run(runId);
  if (run && (run.state === 'completed' || run.state === 'failed')) return { runId, chunks: run.chunk_count ?? 0, announced: 0, skipped: `run is ${run.state}` };
  const chunks = await chunkRun(deps.sql, runId, deps.sizes);
  if (chunks.length === 0) {
    await publishAll(deps.publisher, [statsRequestedEvent(runId, 'chunked')]);
    return { runId, chunks: 0, announced: 0 };
  }
  const ready = chunks.filter((chunk) => chunk.state === 'ready');
  await publishAll(deps.publisher, ready.map((chunk) => chunkReadyEvent(runId, chunk.chunk_no, chunk.attempts)));
  return { runId, chunks: chunks.length, announced: ready.length };
}
