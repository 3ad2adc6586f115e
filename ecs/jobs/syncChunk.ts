import type { VectorInput } from '../../shared/clients/oss-vectors';
import { isUuid, readEmbeddingsByIds } from '../data';
import type { ChunkJob, ChunkCounts } from './types';
import { writeVectors } from './writeVectors';

/**
 * A sync chunk: the ids an event named, each decided from its current row. A row that exists is
 * checked and written (or left when the index holds its hash already); an id without a row is
 * deleted from the index. The run's generation and any generation being rebuilt get the same
 * writes, so a rebuild in progress misses nothing.
 */
export async function syncChunk(job: ChunkJob, counts: ChunkCounts): Promise<VectorInput[]> {
  const { ctx, run, chunk, index } = job;
  const ids = (chunk.selector.ids as string[] | undefined) ?? [];
  const building = (await ctx.store.generations(index.logical_name, 'building')).filter((g) => g.index_name !== index.index_name);
  const targets = [index, ...building];
  const written: VectorInput[] = [];
  const page = ctx.config.WORKER_BATCH_ROWS;
  for (let i = 0; i < ids.length; i += page) {
    const slice = ids.slice(i, i + page);
    const rows = await readEmbeddingsByIds(ctx.sql, slice.filter(isUuid));
    written.push(...(await writeVectors(ctx, { runId: run.run_id, chunkNo: chunk.chunk_no, targets, rows, skipUnchanged: true }, counts)));
    const present = new Set(rows.map((row) => row.document_id));
    const gone = [...new Set(slice.filter((id) => !present.has(id)))];
    if (gone.length === 0) continue;
    const held = await ctx.store.hashes(index.index_name, gone);
    for (const target of targets) {
      await ctx.oss.deleteVectors({ bucket: target.bucket, indexName: target.index_name, keys: gone });
      await ctx.store.deleteIndexState(target.index_name, gone);
    }
    const deleted = gone.filter((id) => held.has(id));
    const absent = gone.filter((id) => !held.has(id));
    await ctx.store.recordItems(run.run_id, deleted, 'delete', 'deleted');
    await ctx.store.recordItems(run.run_id, absent, 'delete', 'skipped');
    counts.deleted += deleted.length;
    counts.skipped += absent.length;
  }
  return written;
}
