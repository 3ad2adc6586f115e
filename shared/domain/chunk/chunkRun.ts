import type { Sql } from 'postgres';
import { Ledger, LedgerRefusedError } from '../../ledger';
import type { ChunkRow } from '../../ledger';
import { planChunks } from './planChunks';
import type { ChunkSizes } from './planChunks';

/**
 * Cuts an accepted run into chunks and records them, all in one transaction: a retry after a crash
 * finds either nothing (and plans again) or the finished plan (and returns it unchanged).
 */
export async function chunkRun(sql: Sql, runId: string, sizes: ChunkSizes): Promise<ChunkRow[]> {
  return sql.begin(async (transaction) => {
    // A transaction accepts the same queries as the pool; postgres.js types it separately.
    const tx = transaction as unknown as Sql;
    const ledger = new Ledger(tx);
    const run = await ledger.run(runId);
    if (run === undefined) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
    if (run.state === 'accepted') {
      const selectors = await planChunks(tx, run, sizes);
      for (const [chunkNo, selector] of selectors.entries()) await ledger.addChunk(runId, chunkNo, selector);
      await ledger.markRunChunked(runId, selectors.length);
    }
    return ledger.chunks(runId);
  });
}
