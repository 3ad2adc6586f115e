import type { Sql } from 'postgres';
import type { Ledger } from '../../ledger';
import { LedgerRefusedError } from '../../ledger';
import type { ChunkLine, RunReport, StageTiming } from '../../report';
import { estimateIndexBytes } from './estimateIndexBytes';

const EXAMPLES_PER_REASON = 3;

function num(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function between(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
}

/** Reads a finished run from the ledger into the report's shape. */
export async function buildRunReport(sql: Sql, ledger: Ledger, runId: string, archiveUrl?: string): Promise<RunReport> {
  const run = await ledger.run(runId);
  if (!run) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
  // Independent reads: one round trip of latency instead of four.
  const [chunks, [index], [stats], rejections, parked] = await Promise.all([
    ledger.chunks(runId),
    sql<{ dimension: number; metric: string; logical_name: string }[]>`select dimension, metric, logical_name from vector_sync.indexes where index_name = ${run.index_name}`,
    sql<{ total_vectors: string }[]>`select total_vectors from vector_sync.index_stats(${run.index_name})`,
    sql<{ reason: string; count: string; examples: string[] }[]>`
      select reason, count(*) as count, (array_agg(document_id order by document_id))[1:${EXAMPLES_PER_REASON}] as examples
      from vector_sync.rejections where run_id = ${runId} group by reason order by count(*) desc, reason`,
    sql<{ function_name: string; code: string; reason: string; event_id: string | null }[]>`
      select function_name, code, reason, event_id from vector_sync.parked_events where run_id = ${runId} order by parked_at limit 20`,
  ]);
  const finishedAt = run.completed_at ?? run.failed_at ?? new Date();
  const stages: StageTiming[] = [
    { stage: 'chunk', ms: between(run.accepted_at, run.chunked_at) },
    { stage: 'dispatch', ms: between(run.chunked_at, run.dispatched_at) },
    { stage: 'worker', ms: between(run.dispatched_at, finishedAt) },
  ].flatMap((stage) => (stage.ms === undefined ? [] : [{ stage: stage.stage, ms: stage.ms }]));
  const validation = chunks.reduce(
    (sum, chunk) => {
      const v = chunk.result?.validation as { sampled?: unknown; matched?: unknown } | undefined;
      return { sampled: sum.sampled + num(v?.sampled), matched: sum.matched + num(v?.matched) };
    },
    { sampled: 0, matched: 0 },
  );
  const chunkLines: ChunkLine[] = chunks.map((chunk) => {
    const duration = between(chunk.dispatched_at, chunk.finished_at);
    return {
      chunkNo: chunk.chunk_no,
      state: chunk.state,
      attempts: chunk.attempts,
      ...(chunk.instance_id ? { instanceId: chunk.instance_id } : {}),
      upserted: num(chunk.result?.upserted),
      deleted: num(chunk.result?.deleted),
      rejected: num(chunk.result?.rejected),
      ...(duration === undefined ? {} : { durationMs: duration }),
      ...(chunk.error ? { error: chunk.error } : {}),
    };
  });
  const totalVectors = num(stats?.total_vectors);
  const dimension = index?.dimension ?? 0;
  return {
    runId: run.run_id,
    op: run.op,
    trigger: run.requested_by === 'supabase.edge' ? 'changes' : 'manual',
    ...(run.requested_by && run.requested_by !== 'supabase.edge' ? { requestedBy: run.requested_by } : {}),
    indexName: index ? `${index.logical_name} (${run.index_name})` : run.index_name,
    outcome: run.state === 'completed' ? 'completed' : 'failed',
    ...(run.error ? { error: run.error } : {}),
    startedAt: run.accepted_at.toISOString(),
    finishedAt: finishedAt.toISOString(),
    counts: {
      received: run.op === 'sync' ? run.ids_total : run.upserted + run.deleted + run.skipped + run.rejected + run.failed,
      upserted: run.upserted,
      deleted: run.deleted,
      unchanged: run.skipped,
      rejected: run.rejected,
      failed: run.failed,
    },
    rejections: rejections.map((row) => ({ reason: row.reason, count: num(row.count), examples: row.examples })),
    ...(parked.length > 0 ? { parked: parked.map((row) => ({ functionName: row.function_name, code: row.code, reason: row.reason, ...(row.event_id ? { eventId: row.event_id } : {}) })) } : {}),
    stages,
    chunks: chunkLines,
    index: { totalVectors, estimatedBytes: estimateIndexBytes(totalVectors, dimension), dimension, metric: index?.metric ?? 'cosine' },
    ...(validation.sampled > 0 ? { validation } : {}),
    ...(archiveUrl ? { archiveUrl } : {}),
  };
}
