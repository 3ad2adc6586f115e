import type { Sql } from 'postgres';
import { existingDocumentIds, readEmbeddingPage } from '../data';
import { runQuery } from '../ledger';
import type { ChunkJob, ChunkCounts } from './types';

const MAX_SEGMENTS = 16;
const GET_KEYS = 100;

/** Drift a verify chunk found. */
export interface Drift {
  /** Absent because the vector was refused since its embedding last changed: not drift. */
  rejected: number;
  missing: number;
  stale: number;
  orphaned: number;
  examples: string[];
}

/** Of these ids, the ones whose vector was refused after their embedding last changed. */
async function knownRejections(sql: Sql, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await runQuery(sql, 'known_rejections', (q) => q`
    select distinct r.document_id from vector_sync.rejections as r
    join public.document_embeddings as e on e.document_id::text = r.document_id
    where r.document_id = any(${[...ids]}::text[]) and r.rejected_at >= e.updated_at`);
  return new Set(rows.map((row) => String(row.document_id)));
}

/**
 * A verify chunk. Postgres → index: the rows of its key range, page by page, looked up with
 * GetVectors (keys and the `content_hash` metadata) → missing and stale vectors. Index → Postgres:
 * chunk k of n scans ListVectors segment k of min(n, 16) → keys without a row (orphans). The drift
 * is healed by forgetting those ids in index_state and putting them back on the `vector_sync`
 * queue, so the normal pipeline writes or deletes them.
 */
export async function verifyChunk(job: ChunkJob, counts: ChunkCounts): Promise<{ drift: Drift; healed: number }> {
  const { ctx, run, chunk, index } = job;
  const drift: Drift = { rejected: 0, missing: 0, stale: 0, orphaned: 0, examples: [] };
  const drifted: string[] = [];
  const note = (kind: 'missing' | 'stale' | 'orphaned', ids: readonly string[]): void => {
    drift[kind] += ids.length;
    drifted.push(...ids);
    for (const id of ids) if (drift.examples.length < 5) drift.examples.push(id);
  };
  const through = (chunk.selector.through as string | null | undefined) ?? null;
  let after = (chunk.selector.after as string | null | undefined) ?? null;
  for (;;) {
    const rows = await readEmbeddingPage(ctx.sql, { after, through, limit: ctx.config.WORKER_BATCH_ROWS, withVectors: false });
    if (rows.length === 0) break;
    for (let i = 0; i < rows.length; i += GET_KEYS) {
      const slice = rows.slice(i, i + GET_KEYS);
      const found = await ctx.oss.getVectors({ bucket: index.bucket, indexName: index.index_name, keys: slice.map((row) => row.document_id), returnMetadata: true });
      const hashes = new Map(found.map((vector) => [vector.key, vector.metadata?.content_hash]));
      const absent = slice.filter((row) => !hashes.has(row.document_id)).map((row) => row.document_id);
      const refused = await knownRejections(ctx.sql, absent);
      note('missing', absent.filter((id) => !refused.has(id)));
      drift.rejected += refused.size;
      note('stale', slice.filter((row) => hashes.has(row.document_id) && hashes.get(row.document_id) !== row.content_hash).map((row) => row.document_id));
      counts.skipped += slice.length;
    }
    after = rows[rows.length - 1]?.document_id ?? null;
  }
  const segments = Math.min(Math.max(run.chunk_count ?? 1, 1), MAX_SEGMENTS);
  if (chunk.chunk_no < segments) {
    let nextToken: string | undefined;
    do {
      const page = await ctx.oss.listVectors({ bucket: index.bucket, indexName: index.index_name, maxResults: 1000, segmentCount: segments, segmentIndex: chunk.chunk_no, ...(nextToken ? { nextToken } : {}) });
      const keys = page.vectors.map((vector) => vector.key);
      const existing = await existingDocumentIds(ctx.sql, keys);
      note('orphaned', keys.filter((key) => !existing.has(key)));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  let healed = 0;
  if (drifted.length > 0) {
    await ctx.store.deleteIndexState(index.index_name, drifted);
    healed = await ctx.store.enqueueSync(drifted);
  }
  return { drift, healed };
}
