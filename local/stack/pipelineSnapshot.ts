import type { Sql } from 'postgres';

/** Where the pipeline stands, stage by stage, read from the database. */
export interface PipelineSnapshot {
  readonly documents: number;
  readonly embedded: number;
  readonly embeddingQueue: number;
  readonly syncQueue: number;
  /** Change batches claimed from the queue whose event the bus has not accepted yet. */
  readonly claimedBatches: number;
  readonly deadLetters: number;
  readonly runs: { readonly open: number; readonly completed: number; readonly failed: number; readonly reportsPending: number };
  readonly chunks: { readonly open: number; readonly succeeded: number; readonly failed: number };
  /** TotalVectors of the active generation (from index_state). */
  readonly vectors: number;
  readonly parkedEvents: number;
}

function n(value: unknown): number {
  const x = Number(value ?? 0);
  return Number.isFinite(x) ? x : 0;
}

/** One cheap read of every stage's counters (bounded aggregate queries only). */
export async function pipelineSnapshot(sql: Sql, logicalIndex: string): Promise<PipelineSnapshot> {
  const [[docs], queues, [runs], [chunks], [vectors], [parked]] = await Promise.all([
    sql`select (select count(*) from public.source_documents) as documents, (select count(*) from public.document_embeddings) as embedded`,
    sql`select queue, depth from vector_sync.queue_depth`,
    sql`select count(*) filter (where state not in ('completed', 'failed')) as open,
               count(*) filter (where state = 'completed') as completed,
               count(*) filter (where state = 'failed') as failed,
               count(*) filter (where state in ('completed', 'failed') and report_disposition is null) as reports_pending
        from vector_sync.runs`,
    sql`select count(*) filter (where state not in ('succeeded', 'failed')) as open,
               count(*) filter (where state = 'succeeded') as succeeded,
               count(*) filter (where state = 'failed') as failed
        from vector_sync.chunks`,
    sql`select coalesce((select total_vectors from vector_sync.index_stats(a.index_name)), 0) as total
        from vector_sync.active_index(${logicalIndex}) as a`,
    sql`select (select count(*) from vector_sync.parked_events) as parked, (select count(*) from vector_sync.dead_letters) as dead,
               (select count(*) from vector_sync.change_batches where state = 'claimed') as claimed`,
  ]);
  const depth = (name: string): number => n(queues.find((row) => row.queue === name)?.depth);
  return {
    documents: n(docs?.documents),
    embedded: n(docs?.embedded),
    embeddingQueue: depth('embedding_jobs'),
    syncQueue: depth('vector_sync'),
    claimedBatches: n(parked?.claimed),
    deadLetters: n(parked?.dead),
    runs: { open: n(runs?.open), completed: n(runs?.completed), failed: n(runs?.failed), reportsPending: n(runs?.reports_pending) },
    chunks: { open: n(chunks?.open), succeeded: n(chunks?.succeeded), failed: n(chunks?.failed) },
    vectors: n(vectors?.total),
    parkedEvents: n(parked?.parked),
  };
}

/**
 * True when nothing is waiting anywhere: queues empty, no change batch waiting for its publish,
 * runs final, reports sent, and no event on its way through the bus. The last two matter: once
 * publish-changes has claimed a batch (and deleted its messages) and until validate opens its run,
 * the change exists only as a claimed batch, then as an event in flight.
 */
export function isQuiet(snapshot: PipelineSnapshot, busDeliveriesInFlight: number): boolean {
  return (
    busDeliveriesInFlight === 0 &&
    snapshot.embedded + snapshot.deadLetters >= snapshot.documents &&
    snapshot.embeddingQueue === 0 &&
    snapshot.syncQueue === 0 &&
    snapshot.claimedBatches === 0 &&
    snapshot.runs.open === 0 &&
    snapshot.runs.reportsPending === 0
  );
}

/** What the final verify and the runs before it found. */
export interface MainJobSummary {
  readonly runs: number;
  readonly failedRuns: number;
  readonly upserted: number;
  readonly rejected: number;
  readonly reports: number;
  /** Vectors per second of the worker, over the time its chunks ran (sync and rebuild chunks). */
  readonly workerVectorsPerSecond: number;
  readonly bestChunkVectorsPerSecond: number;
  readonly drift: { readonly missing: number; readonly stale: number; readonly orphaned: number };
  readonly indexVectors: number;
  readonly embeddings: number;
}

/** Reads the figures of the main job from the ledger; `verifyRunId` is the final verify. */
export async function mainJobSummary(sql: Sql, verifyRunId: string, logicalIndex: string): Promise<MainJobSummary> {
  const [[runs], [speed], [drift], [state]] = await Promise.all([
    sql`select count(*) as runs, count(*) filter (where state = 'failed') as failed, coalesce(sum(upserted), 0) as upserted,
               coalesce(sum(rejected), 0) as rejected, count(*) filter (where report_sent_at is not null) as reports
        from vector_sync.runs`,
    sql`select coalesce(sum((c.result ->> 'upserted')::bigint), 0) as vectors,
               coalesce(sum(extract(epoch from c.finished_at - c.running_at)), 0) as seconds,
               coalesce(max((c.result ->> 'vectorsPerSecond')::float8), 0) as best
        from vector_sync.chunks as c join vector_sync.runs as r using (run_id)
        where r.op in ('sync', 'rebuild') and c.state = 'succeeded' and c.running_at is not null`,
    sql`select coalesce(sum((result -> 'drift' ->> 'missing')::int), 0) as missing,
               coalesce(sum((result -> 'drift' ->> 'stale')::int), 0) as stale,
               coalesce(sum((result -> 'drift' ->> 'orphaned')::int), 0) as orphaned
        from vector_sync.chunks where run_id = ${verifyRunId}`,
    sql`select (select count(*) from public.document_embeddings) as embeddings,
               coalesce((select total_vectors from vector_sync.index_stats(a.index_name)), 0) as vectors
        from vector_sync.active_index(${logicalIndex}) as a`,
  ]);
  const seconds = n(speed?.seconds);
  return {
    runs: n(runs?.runs),
    failedRuns: n(runs?.failed),
    upserted: n(runs?.upserted),
    rejected: n(runs?.rejected),
    reports: n(runs?.reports),
    workerVectorsPerSecond: seconds > 0 ? Math.round(n(speed?.vectors) / seconds) : 0,
    bestChunkVectorsPerSecond: Math.round(n(speed?.best)),
    drift: { missing: n(drift?.missing), stale: n(drift?.stale), orphaned: n(drift?.orphaned) },
    indexVectors: n(state?.vectors),
    embeddings: n(state?.embeddings),
  };
}
