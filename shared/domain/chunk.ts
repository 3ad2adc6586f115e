// chunk: an accepted run is cut into chunks (id lists for sync, key ranges for rebuild and verify)
// and each chunk still waiting is announced with vectorsync.chunk.ready.
import type { EventPublisher } from '../clients/eventbridge';
import { chunkReadyEvent, statsRequestedEvent } from '../contracts';
import type { ChunkSelector } from '../contracts';
import { LedgerRefusedError } from '../ledger';
import type { ChunkRow, Ledger, RunRow } from '../ledger';
import { publishAll } from './lifecycle';

/** How big chunks get. */
export interface ChunkSizes {
  /** Ids per chunk of a sync run. */
  readonly idsPerChunk: number;
  /** Embedding rows per key range of a rebuild or verify run. */
  readonly rowsPerRange: number;
}

/** What chunk needs. */
export interface AnnounceChunksDeps {
  readonly ledger: Ledger;
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
 * The chunks of a run. A sync run's ids are cut into lists. A rebuild or verify run is cut into
 * key ranges over the sidecar at every `rowsPerRange`-th id. The first range is open below and the
 * last open above, so ids added meanwhile (and, for verify, keys that exist only in the index)
 * still fall in a chunk.
 */
async function planChunks(ledger: Ledger, run: Pick<RunRow, 'run_id' | 'op'>, sizes: ChunkSizes): Promise<ChunkSelector[]> {
  if (run.op === 'sync') {
    const ids = await ledger.runItemIds(run.run_id);
    const chunks: ChunkSelector[] = [];
    for (let i = 0; i < ids.length; i += sizes.idsPerChunk) chunks.push({ ids: ids.slice(i, i + sizes.idsPerChunk) });
    return chunks;
  }
  const ranges: ChunkSelector[] = [];
  let after: string | null = null;
  for (const through of await ledger.rangeBoundaries(sizes.rowsPerRange)) {
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
export async function chunkRun(ledger: Ledger, runId: string, sizes: ChunkSizes): Promise<ChunkRow[]> {
  return ledger.transaction(async (tx) => {
    // Locked: copies of one run.accepted delivered at once wait here, then find the plan made.
    const run = await tx.lockRun(runId);
    if (run === undefined) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
    if (run.state === 'accepted') {
      const selectors = await planChunks(tx, run, sizes);
      for (const [chunkNo, selector] of selectors.entries()) await tx.addChunk(runId, chunkNo, selector);
      await tx.markRunChunked(runId, selectors.length);
    }
    return tx.chunks(runId);
  });
}

/**
 * Cuts an accepted run into chunks (once: chunkRun is idempotent) and publishes one
 * `vectorsync.chunk.ready` per chunk still waiting in 'ready'; a redelivery announces only those.
 * A run with nothing to do gets a stats request instead, so collect-stats closes it.
 */
export async function announceChunks(deps: AnnounceChunksDeps, runId: string): Promise<AnnounceChunksResult> {
  const run = await deps.ledger.run(runId);
  if (run && (run.state === 'completed' || run.state === 'failed')) return { runId, chunks: run.chunk_count ?? 0, announced: 0, skipped: `run is ${run.state}` };
  const chunks = await chunkRun(deps.ledger, runId, deps.sizes);
  if (chunks.length === 0) {
    await publishAll(deps.publisher, [statsRequestedEvent(runId, 'chunked')]);
    return { runId, chunks: 0, announced: 0 };
  }
  const ready = chunks.filter((chunk) => chunk.state === 'ready');
  await publishAll(deps.publisher, ready.map((chunk) => chunkReadyEvent(runId, chunk.chunk_no, chunk.attempts)));
  return { runId, chunks: chunks.length, announced: ready.length };
}
