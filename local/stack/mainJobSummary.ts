import type { Sql } from 'postgres';

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

function n(value: unknown): number {
  const x = Number(value ?? 0);
  return Number.isFinite(x) ? x : 0;
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
