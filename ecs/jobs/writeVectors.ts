import { checkVector } from '../../shared/clients/oss-vectors';
import type { VectorInput } from '../../shared/clients/oss-vectors';
import type { IndexRow } from '../../shared/ledger';
import { toVectorInput } from '../data';
import type { EmbeddingRow } from '../data';
import type { WorkerContext } from '../context';
import { ensureIndex } from './ensureIndex';
import { shapeOf } from './types';
import type { ChunkCounts } from './types';

/** One page of rows to write into the run's index (the first target) and any other targets. */
export interface WriteInput {
  readonly runId: string;
  readonly chunkNo: number;
  readonly targets: readonly IndexRow[];
  readonly rows: readonly EmbeddingRow[];
  /** Sync: leave rows whose hash the index already holds. Rebuild: write everything. */
  readonly skipUnchanged: boolean;
}

/**
 * Checks each row's vector against the index's limits (a bad one is recorded as a rejection with
 * its reason and the rest go on), leaves unchanged rows, PutVectors the rest into every target
 * (≤ 500 per call, the client throttles and retries) and records what each index now holds.
 * Returns the vectors written, for the validation query.
 */
export async function writeVectors(ctx: WorkerContext, input: WriteInput, counts: ChunkCounts): Promise<VectorInput[]> {
  const [primary] = input.targets;
  if (!primary || input.rows.length === 0) return [];
  const known = input.skipUnchanged ? await ctx.store.hashes(primary.index_name, input.rows.map((row) => row.document_id)) : new Map<string, string>();
  const put: { row: EmbeddingRow; vector: VectorInput }[] = [];
  const rejected: string[] = [];
  const skipped: string[] = [];
  for (const row of input.rows) {
    const vector = toVectorInput(row);
    const problem = checkVector(vector, shapeOf(primary), ctx.oss.config.limits);
    if (problem) {
      await ctx.store.recordRejection({ runId: input.runId, chunkNo: input.chunkNo, documentId: row.document_id, reason: problem.reason, detail: problem.message });
      rejected.push(row.document_id);
    } else if (known.get(row.document_id) === row.content_hash) skipped.push(row.document_id);
    else put.push({ row, vector });
  }
  const limit = ctx.oss.config.limits.maxVectorsPerPut;
  for (const target of input.targets) {
    if (target !== primary) await ensureIndex(ctx.oss, target);
    for (let i = 0; i < put.length; i += limit) {
      const batch = put.slice(i, i + limit);
      await ctx.oss.putVectors({ bucket: target.bucket, indexName: target.index_name, vectors: batch.map((item) => item.vector), index: shapeOf(target) });
      await ctx.store.upsertIndexState(target.index_name, batch.map((item) => item.row.document_id), batch.map((item) => item.row.content_hash));
    }
  }
  const upserted = put.map((item) => item.row.document_id);
  await ctx.store.recordItems(input.runId, upserted, 'upsert', 'upserted');
  await ctx.store.recordItems(input.runId, skipped, 'upsert', 'skipped');
  await ctx.store.recordItems(input.runId, rejected, 'upsert', 'rejected');
  counts.upserted += upserted.length;
  counts.skipped += skipped.length;
  counts.rejected += rejected.length;
  return put.map((item) => item.vector);
}
