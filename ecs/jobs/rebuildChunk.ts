import type { VectorInput } from '../../shared/clients/oss-vectors';
import { readEmbeddingPage } from '../data';
import { ensureIndex } from './ensureIndex';
import type { ChunkJob, ChunkCounts } from './types';
import { writeVectors } from './writeVectors';

/** A rebuild chunk: every row of its key range, page by page, into the new generation. */
export async function rebuildChunk(job: ChunkJob, counts: ChunkCounts): Promise<VectorInput[]> {
  const { ctx, run, chunk, index } = job;
  await ensureIndex(ctx.oss, index);
  const through = (chunk.selector.through as string | null | undefined) ?? null;
  let after = (chunk.selector.after as string | null | undefined) ?? null;
  const written: VectorInput[] = [];
  for (;;) {
    const rows = await readEmbeddingPage(ctx.sql, { after, through, limit: ctx.config.WORKER_BATCH_ROWS, withVectors: true });
    if (rows.length === 0) break;
    const page = await writeVectors(ctx, { runId: run.run_id, chunkNo: chunk.chunk_no, targets: [index], rows, skipUnchanged: false }, counts);
    // Keep a bounded sample for the validation query, not every vector of the range.
    if (written.length < 1000) written.push(...page.slice(0, 1000 - written.length));
    after = rows[rows.length - 1]?.document_id ?? null;
    ctx.logger.debug('rebuild page written', { through: after, upserted: counts.upserted });
  }
  return written;
}
