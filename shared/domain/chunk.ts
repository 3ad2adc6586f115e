// chunk: an accepted run is cut into chunks (id lists for sync, key ranges for rebuild and verify)
// and the chunks that get the free slots of the instance pool are announced with
// vectorsync.chunk.ready; the others wait until a settled attempt frees a slot.
import type { EventPublisher } from '../clients/eventbridge';
import { statsRequestedEvent } from '../contracts';
import type { ChunkSelector } from '../contracts';
import { LedgerRefusedError } from '../ledger';
import type { ChunkRow, Ledger, RunRow } from '../ledger';
import { announceWaitingChunks, publishAll } from './lifecycle';

/** What chunk needs. */
export interface AnnounceChunksDeps {
  readonly ledger: Ledger;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  /** Ids per sync chunk, and about as many rows per key range (CHUNK_MAX_IDS). */
  readonly maxIds: number;
  /** Chunks dispatched or running at once across the pool (MAX_CHUNKS_IN_FLIGHT). */
  readonly maxChunksInFlight: number;
}

/** What chunk answers. */
export interface AnnounceChunksResult {
  readonly runId: string;
  readonly chunks: number;
  /** chunk.ready events published: this run's waiting chunks, or an older run's, up to the free slots. */
  readonly announced: number;
  readonly skipped?: string;
}

/**
 * The chunks of a run. A sync run's ids are cut into lists of at most `maxIds`. A rebuild or
 * verify run is cut into key ranges over the sidecar at every `maxIds`-th id. The first range is
 * open below and the last open above, so ids added meanwhile (and, for verify, keys that exist only
 * in the index) still fall in a chunk. A search run is one chunk over the whole key range: its
 * queries (in the run's params) are a handful of QueryVectors calls.
 */
async function planChunks(ledger: Ledger, run: Pick<RunRow, 'run_id' | 'op'>, maxIds: number): Promise<ChunkSelector[]> {
  if (run.op === 'sync') {
    const ids = await ledger.runItemIds(run.run_id);
    const chunks: ChunkSelector[] = [];
    for (let i = 0; i < ids.length; i += maxIds) chunks.push({ ids: ids.slice(i, i + maxIds) });
    return chunks;
  }
  if (run.op === 'search') return [{ after: null, through: null }];
  const ranges: ChunkSelector[] = [];
  let after: string | null = null;
  for (const through of await ledger.rangeBoundaries(maxIds)) {
    ranges.push({ after, through });
    after = through;
  }
  ranges.push({ after, through: null });
  return ranges;
}

/**
 * Cuts an accepted run into chunks and records them, all in one transaction: a retry after a crash
 * finds either nothing (and plans again) or the finished plan (and returns it unchanged).
 */
export async function chunkRun(ledger: Ledger, runId: string, maxIds: number): Promise<ChunkRow[]> {
  return ledger.transaction(async (tx) => {
    // Locked: copies of one run.accepted delivered at once wait here, then find the plan made.
    const run = await tx.lockRun(runId);
    if (run === undefined) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
    if (run.state === 'accepted') {
      const selectors = await planChunks(tx, run, maxIds);
      for (const [chunkNo, selector] of selectors.entries()) await tx.addChunk(runId, chunkNo, selector);
      await tx.markRunChunked(runId, selectors.length);
    }
    return tx.chunks(runId);
  });
}

/**
 * Cuts an accepted run into chunks (once: chunkRun is idempotent) and publishes
 * `vectorsync.chunk.ready` for the waiting chunks that get the pool's free slots, oldest run first
 * (this run's, or an older run's still waiting); the rest are announced as attempts settle. A
 * redelivery announces again what waits. A run with nothing to do gets a stats request instead,
 * so collect-stats closes it.
 */
export async function announceChunks(deps: AnnounceChunksDeps, runId: string): Promise<AnnounceChunksResult> {
  const run = await deps.ledger.run(runId);
  if (run && (run.state === 'completed' || run.state === 'failed')) return { runId, chunks: run.chunk_count ?? 0, announced: 0, skipped: `run is ${run.state}` };
  const chunks = await chunkRun(deps.ledger, runId, deps.maxIds);
  if (chunks.length === 0) {
    await publishAll(deps.publisher, [statsRequestedEvent(runId, 'chunked')]);
    return { runId, chunks: 0, announced: 0 };
  }
  const announced = await announceWaitingChunks(deps);
  return { runId, chunks: chunks.length, announced: announced.length };
}
