import type { ChunkRow, Ledger } from '../ledger';
import { LedgerRefusedError } from '../ledger';
import { verificationOf } from './quality';
import { searchOf } from './search';
import type { ChunkLine, RunReport, StageTiming } from './types';

const EXAMPLES_PER_REASON = 3;
const PARKED_LINES = 20;
/** The report's health section looks back this far from the end of the run. */
export const HEALTH_WINDOW_MS = 60 * 60 * 1000;
/** What one stored vector costs besides its floats: the key (a uuid) and a little metadata. */
const KEY_BYTES = 36;
const METADATA_BYTES = 64;

/**
 * OSS Vectors has no API that reports an index's size, so the report estimates it: float32 data
 * plus key and metadata bytes per vector.
 */
export function estimateIndexBytes(totalVectors: number, dimension: number, metadataBytes: number = METADATA_BYTES): number {
  return totalVectors * (dimension * 4 + KEY_BYTES + metadataBytes);
}

function between(from: Date | null, to: Date | null): number | undefined {
  return from && to ? Math.max(0, to.getTime() - from.getTime()) : undefined;
}

function chunkLine(chunk: ChunkRow): ChunkLine {
  const duration = between(chunk.dispatched_at, chunk.finished_at);
  return {
    chunkNo: chunk.chunk_no,
    state: chunk.state,
    attempts: chunk.attempts,
    ...(chunk.instance_id ? { instanceId: chunk.instance_id } : {}),
    upserted: chunk.result?.upserted ?? 0,
    deleted: chunk.result?.deleted ?? 0,
    rejected: chunk.result?.rejected ?? 0,
    ...(duration === undefined ? {} : { durationMs: duration }),
    ...(chunk.error ? { error: chunk.error } : {}),
  };
}

/** Reads a finished run from the ledger into the report's shape (once per run, by notify). */
export async function buildRunReport(ledger: Ledger, runId: string, archiveUrl?: string): Promise<RunReport> {
  const run = await ledger.run(runId);
  if (!run) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
  // Independent reads: one round trip of latency instead of five.
  const [chunks, index, stats, rejections, parked] = await Promise.all([
    ledger.chunks(runId),
    ledger.index(run.index_name),
    ledger.indexStats(run.index_name),
    ledger.rejectionGroups(runId, EXAMPLES_PER_REASON),
    ledger.parkedEvents(runId, PARKED_LINES),
  ]);
  const finishedAt = run.completed_at ?? run.failed_at ?? new Date();
  // The logical index's health over the hour before the run finished: its lag, drift and rejections
  // in context, and the backlog the run leaves behind.
  const health = index ? await ledger.indexHealth(index.logical_name, { since: new Date(finishedAt.getTime() - HEALTH_WINDOW_MS), until: finishedAt }) : undefined;
  const stages: StageTiming[] = [
    { stage: 'chunk', ms: between(run.accepted_at, run.chunked_at) },
    { stage: 'dispatch', ms: between(run.chunked_at, run.dispatched_at) },
    { stage: 'worker', ms: between(run.dispatched_at, finishedAt) },
  ].flatMap((stage) => (stage.ms === undefined ? [] : [{ stage: stage.stage, ms: stage.ms }]));
  const validation = chunks.reduce(
    (sum, chunk) => ({ sampled: sum.sampled + (chunk.result?.validation?.sampled ?? 0), matched: sum.matched + (chunk.result?.validation?.matched ?? 0) }),
    { sampled: 0, matched: 0 },
  );
  const dimension = index?.dimension ?? 0;
  const verification = verificationOf(run, chunks);
  const search = searchOf(chunks);
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
    rejections,
    ...(parked.length > 0 ? { parked } : {}),
    stages,
    chunks: chunks.map(chunkLine),
    vectors: {
      written: chunks.reduce((sum, chunk) => sum + (chunk.result?.vectorsWritten ?? chunk.result?.upserted ?? 0), 0),
      deleted: chunks.reduce((sum, chunk) => sum + (chunk.result?.vectorsDeleted ?? chunk.result?.deleted ?? 0), 0),
    },
    index: { totalVectors: stats.totalVectors, totalDocuments: stats.totalDocuments, estimatedBytes: estimateIndexBytes(stats.totalVectors, dimension), dimension, metric: index?.metric ?? 'cosine' },
    ...(validation.sampled > 0 ? { validation } : {}),
    ...(verification ? { verification } : {}),
    ...(search ? { search } : {}),
    ...(health ? { health } : {}),
    ...(archiveUrl ? { archiveUrl } : {}),
  };
}
