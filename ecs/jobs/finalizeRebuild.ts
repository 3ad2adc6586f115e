import type { Sql } from 'postgres';
import { OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';

async function missingFrom(sql: Sql, indexName: string, runId: string): Promise<number> {
  const [row] = await sql<{ n: string }[]>`
    select count(*) as n from public.document_embeddings as e
    where not exists (select 1 from vector_sync.index_state as s where s.index_name = ${indexName} and s.document_id = e.document_id::text)
      and not exists (select 1 from vector_sync.rejections as r where r.run_id = ${runId} and r.document_id = e.document_id::text)`;
  return Number(row?.n ?? 0);
}

/**
 * After the last chunk of a rebuild: checks that the new generation holds every embedding (but the
 * ones rejected), makes it the active one (the old one is retired in the same move, so queries
 * never see an empty index), then deletes the retired generations. Every step is idempotent, so
 * two workers finishing at once are both safe. Answers what it did, or why it did not.
 */
export async function finalizeRebuild(ctx: WorkerContext, runId: string, index: IndexRow): Promise<{ activated: boolean; dropped: string[]; reason?: string }> {
  if (!(await ctx.store.chunksSucceeded(runId))) return { activated: false, dropped: [], reason: 'other chunks are still open or failed' };
  const missing = await missingFrom(ctx.sql, index.index_name, runId);
  if (missing > 0) {
    const reason = `generation ${index.index_name} lacks ${missing} embedding(s) after loading; it stays inactive`;
    await ctx.ledger.failRun(runId, reason);
    return { activated: false, dropped: [], reason };
  }
  await ctx.ledger.activateIndex(index.index_name);
  const dropped: string[] = [];
  for (const old of await ctx.store.generations(index.logical_name, 'retired')) {
    try {
      await ctx.oss.deleteVectorIndex({ bucket: old.bucket, indexName: old.index_name });
    } catch (error) {
      if (!(error instanceof OssVectorsRequestError && error.status === 404)) throw error;
    }
    await ctx.store.markIndexDropped(old.index_name);
    dropped.push(old.index_name);
  }
  return { activated: true, dropped };
}
