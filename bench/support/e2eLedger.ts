// What the end-to-end benchmarks read from the ledger: how far the index is (index_state against
// the sidecar), the worker's own write time (its chunks' running spans), a verify run's drift, the
// timeline of a bulk load and each stage of a single edit. Reads only; all bounded by the run.
import type { Sql } from 'postgres';
import { StackDefaults } from '../../local/stack';
import { coveredSeconds } from './e2eFigures';

function n(value: unknown): number {
  const x = Number(value ?? 0);
  return Number.isFinite(x) ? x : 0;
}

function ms(value: Date | null | undefined): number | null {
  return value == null ? null : value.getTime();
}

/**
 * Ids the change-driven sync chunks have settled so far (written, or found written already by an
 * earlier attempt of the chunk, deleted, rejected or failed) and how many sync runs failed: cheap
 * (one row per chunk), polled while waiting for the index to fill.
 */
export async function syncProgress(sql: Sql): Promise<{ settled: number; failedRuns: number }> {
  const [row] = await sql<{ settled: string; failed_runs: string }[]>`
    select coalesce(sum(
             coalesce((c.result ->> 'upserted')::bigint, 0) + coalesce((c.result ->> 'skipped')::bigint, 0)
             + coalesce((c.result ->> 'deleted')::bigint, 0) + coalesce((c.result ->> 'rejected')::bigint, 0)
             + coalesce((c.result ->> 'failed')::bigint, 0)
           ) filter (where c.state in ('succeeded', 'failed')), 0) as settled,
           (select count(*) from vector_sync.runs where op = 'sync' and state = 'failed') as failed_runs
    from vector_sync.chunks as c join vector_sync.runs as r using (run_id)
    where r.op = 'sync'`;
  return { settled: n(row?.settled), failedRuns: n(row?.failed_runs) };
}

/**
 * Embeddings whose current content hash the active generation holds (index_state), and when the
 * last of them was written. One join over every embedding: asked once the chunks say they are done.
 */
export async function indexedEmbeddings(sql: Sql): Promise<{ indexed: number; lastWrittenAt: number | null }> {
  const [row] = await sql<{ indexed: string; last: Date | null }[]>`
    select count(*) as indexed, max(s.synced_at) as last
    from public.document_embeddings as e
    join vector_sync.index_state as s
      on s.document_id = e.document_id::text and s.content_hash = e.content_hash
    where s.index_name = (select index_name from vector_sync.active_index(${StackDefaults.logicalIndex}))`;
  return { indexed: n(row?.indexed), lastWrittenAt: ms(row?.last) };
}

/** The worker's own write time for the vectors of the change-driven sync runs, from its chunks. */
export interface WorkerTime {
  /** Wall seconds during which at least one sync chunk was running (the worker alone). */
  readonly seconds: number;
  /** The chunks' running seconds added up (parallel time counted once per chunk). */
  readonly sumSeconds: number;
  readonly longestChunkSeconds: number;
  readonly vectors: number;
  readonly chunks: number;
  readonly attempts: number;
  readonly failedChunks: number;
}

/** The union, sum and longest of the succeeded sync chunks' [running_at, finished_at] spans. */
export async function workerTime(sql: Sql): Promise<WorkerTime> {
  const rows = await sql<{ running_at: Date | null; finished_at: Date | null; state: string; attempts: number; upserted: string | null }[]>`
    select c.running_at, c.finished_at, c.state, c.attempts, c.result ->> 'upserted' as upserted
    from vector_sync.chunks as c join vector_sync.runs as r using (run_id)
    where r.op = 'sync'`;
  const spans = rows
    .filter((row) => row.state === 'succeeded' && row.running_at !== null && row.finished_at !== null)
    .map((row) => ({ from: row.running_at?.getTime() ?? 0, to: row.finished_at?.getTime() ?? 0 }));
  const lengths = spans.map((span) => (span.to - span.from) / 1000);
  return {
    seconds: coveredSeconds(spans),
    sumSeconds: lengths.reduce((sum, x) => sum + x, 0),
    longestChunkSeconds: Math.max(0, ...lengths),
    vectors: rows.reduce((sum, row) => sum + (row.state === 'succeeded' ? n(row.upserted) : 0), 0),
    chunks: rows.length,
    attempts: rows.reduce((sum, row) => sum + row.attempts, 0),
    failedChunks: rows.filter((row) => row.state === 'failed').length,
  };
}

/** A verify run's outcome: its state, when it completed, and the drift its chunks found. */
export async function verifyOutcome(sql: Sql, runId: string): Promise<{ state: string; completedAt: number | null; missing: number; stale: number; orphaned: number; rejected: number }> {
  const [row] = await sql<{ state: string; completed_at: Date | null; missing: string; stale: string; orphaned: string; rejected: string }[]>`
    select r.state, r.completed_at,
           coalesce(sum((c.result -> 'drift' ->> 'missing')::int), 0) as missing,
           coalesce(sum((c.result -> 'drift' ->> 'stale')::int), 0) as stale,
           coalesce(sum((c.result -> 'drift' ->> 'orphaned')::int), 0) as orphaned,
           coalesce(sum((c.result -> 'drift' ->> 'rejected')::int), 0) as rejected
    from vector_sync.runs as r left join vector_sync.chunks as c using (run_id)
    where r.run_id = ${runId}::uuid
    group by r.state, r.completed_at`;
  return { state: row?.state ?? 'missing', completedAt: ms(row?.completed_at), missing: n(row?.missing), stale: n(row?.stale), orphaned: n(row?.orphaned), rejected: n(row?.rejected) };
}

/** Runs by op and state, and rejections: a bulk load should make sync runs only, none failed or rejected. */
export async function runCounts(sql: Sql): Promise<{ syncRuns: number; failedRuns: number; rejected: number; changeBatches: number }> {
  const [row] = await sql<{ sync: string; failed: string; rejected: string; batches: string }[]>`
    select (select count(*) from vector_sync.runs where op = 'sync') as sync,
           (select count(*) from vector_sync.runs where state = 'failed') as failed,
           (select count(*) from vector_sync.rejections) as rejected,
           (select count(*) from vector_sync.change_batches) as batches`;
  return { syncRuns: n(row?.sync), failedRuns: n(row?.failed), rejected: n(row?.rejected), changeBatches: n(row?.batches) };
}

/** When each stage of a bulk load first began and last ended (epoch ms), from the change-driven runs. */
export async function bulkTimeline(sql: Sql): Promise<Record<'firstClaimed' | 'lastPublished' | 'firstRunOpened' | 'lastRunOpened' | 'firstChunkDispatched' | 'firstWorkerStarted' | 'lastChunkFinished' | 'lastRunCompleted', number | null>> {
  const [row] = await sql<Record<string, Date | null>[]>`
    select (select min(claimed_at) from vector_sync.change_batches) as first_claimed,
           (select max(published_at) from vector_sync.change_batches) as last_published,
           min(r.accepted_at) as first_run_opened, max(r.accepted_at) as last_run_opened,
           (select min(c.dispatched_at) from vector_sync.chunks as c join vector_sync.runs as x using (run_id) where x.op = 'sync') as first_chunk_dispatched,
           (select min(c.running_at) from vector_sync.chunks as c join vector_sync.runs as x using (run_id) where x.op = 'sync') as first_worker_started,
           (select max(c.finished_at) from vector_sync.chunks as c join vector_sync.runs as x using (run_id) where x.op = 'sync') as last_chunk_finished,
           max(r.completed_at) as last_run_completed
    from vector_sync.runs as r where r.op = 'sync'`;
  return {
    firstClaimed: ms(row?.first_claimed),
    lastPublished: ms(row?.last_published),
    firstRunOpened: ms(row?.first_run_opened),
    lastRunOpened: ms(row?.last_run_opened),
    firstChunkDispatched: ms(row?.first_chunk_dispatched),
    firstWorkerStarted: ms(row?.first_worker_started),
    lastChunkFinished: ms(row?.last_chunk_finished),
    lastRunCompleted: ms(row?.last_run_completed),
  };
}

/** The ledger's timestamps (epoch ms) of one document's latest change on its way to the index. */
export interface EditTrail {
  readonly id: string;
  readonly queued: number | null;
  readonly claimed: number | null;
  readonly published: number | null;
  readonly runOpened: number | null;
  readonly chunkDispatched: number | null;
  readonly workerStarted: number | null;
  readonly written: number | null;
  readonly writtenHash: string | null;
  readonly attempts: number;
}

/**
 * For each id, its latest change batch, the run opened from it, the chunk that carried the id, and
 * the active generation's index_state row (written, with the hash written).
 */
export async function editTrails(sql: Sql, ids: readonly string[]): Promise<EditTrail[]> {
  const rows = await sql<{ id: string; changed_at: Date | null; claimed_at: Date | null; published_at: Date | null; accepted_at: Date | null; dispatched_at: Date | null; running_at: Date | null; synced_at: Date | null; content_hash: string | null; attempts: number | null }[]>`
    select distinct on (i.document_id) i.document_id as id, i.changed_at, b.claimed_at, b.published_at, r.accepted_at,
           c.dispatched_at, c.running_at, s.synced_at, s.content_hash, c.attempts
    from vector_sync.change_batch_items as i
    join vector_sync.change_batches as b using (batch_id)
    left join vector_sync.runs as r on r.batch_id = b.batch_id
    left join vector_sync.chunks as c on c.run_id = r.run_id and (c.selector -> 'ids') ? i.document_id
    left join vector_sync.index_state as s
      on s.document_id = i.document_id
     and s.index_name = (select index_name from vector_sync.active_index(${StackDefaults.logicalIndex}))
    where i.document_id = any(${[...ids]}::text[])
    order by i.document_id, b.claimed_at desc`;
  return rows.map((row) => ({
    id: row.id,
    queued: ms(row.changed_at),
    claimed: ms(row.claimed_at),
    published: ms(row.published_at),
    runOpened: ms(row.accepted_at),
    chunkDispatched: ms(row.dispatched_at),
    workerStarted: ms(row.running_at),
    written: ms(row.synced_at),
    writtenHash: row.content_hash,
    attempts: row.attempts ?? 0,
  }));
}
