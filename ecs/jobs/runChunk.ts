import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError, describeError } from '../../shared/errors';
import { LedgerRefusedError } from '../../shared/ledger';
import type { ChunkRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { finalizeRebuild } from './finalizeRebuild';
import { rebuildChunk } from './rebuildChunk';
import { syncChunk } from './syncChunk';
import { noCounts } from './types';
import type { ChunkJob } from './types';
import { validationQuery } from './validationQuery';
import { verifyChunk } from './verifyChunk';

/** The chunk moves to 'running'. dispatch records the RunCommand right after it returns, so a fast
 * worker may find the chunk still 'ready' for a moment: it waits a little for that record. */
async function markRunning(ctx: WorkerContext, runId: string, chunkNo: number): Promise<ChunkRow> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ctx.ledger.markChunkRunning(runId, chunkNo);
    } catch (error) {
      const chunk = await ctx.ledger.chunk(runId, chunkNo);
      if (!(error instanceof LedgerRefusedError) || chunk?.state !== 'ready' || attempt >= 20) throw error;
      await sleep(250);
    }
  }
}

/**
 * Runs one chunk of a run and writes its result to the ledger: the counts, the validation query,
 * drift for verify, the speed. A permanent failure is recorded on the chunk with its reason; a
 * transient one (OSS or the ledger still failing after their retries) leaves the chunk running, so
 * that collect-stats requeues it for another attempt (bounded). Either way it is rethrown for the
 * exit code.
 */
export async function runChunk(ctx: WorkerContext, runId: string, chunkNo: number): Promise<Record<string, unknown>> {
  const started = performance.now();
  const current = await ctx.ledger.chunk(runId, chunkNo);
  if (!current) throw new LedgerRefusedError(`chunk ${chunkNo} of run ${runId} does not exist`, { code: 'P0002', details: { runId, chunkNo } });
  if (current.state === 'succeeded' || current.state === 'failed') return { runId, chunkNo, state: current.state, note: 'already final; nothing done' };
  const chunk = current.state === 'running' ? current : await markRunning(ctx, runId, chunkNo);
  const run = await ctx.ledger.run(runId);
  const index = run ? await ctx.store.index(run.index_name) : undefined;
  if (!run || !index) throw new LedgerRefusedError(`run ${runId} or its index is not in the ledger`, { code: 'P0002', details: { runId } });
  const job: ChunkJob = { ctx, run, chunk, index };
  const counts = noCounts();
  try {
    const extra: Record<string, unknown> = {};
    if (run.op === 'verify') Object.assign(extra, await verifyChunk(job, counts));
    else {
      const written = run.op === 'sync' ? await syncChunk(job, counts) : await rebuildChunk(job, counts);
      if (written.length > 0 && ctx.config.VALIDATION_SAMPLE > 0) extra.validation = await validationQuery(ctx, index, written);
    }
    const seconds = (performance.now() - started) / 1000;
    const result = { ...counts, ...extra, durationMs: Math.round(seconds * 1000), vectorsPerSecond: Math.round(counts.upserted / Math.max(seconds, 0.001)) };
    await ctx.ledger.finishChunk({ runId, chunkNo, succeeded: true, result });
    if (run.op === 'rebuild') Object.assign(result, { generation: await finalizeRebuild(ctx, runId, index) });
    return { runId, chunkNo, op: run.op, ...result };
  } catch (error) {
    const reason = describeError(error).message;
    if (classifyError(error) === 'transient') {
      // Left running: the non-zero exit makes collect-stats requeue it for another attempt.
      ctx.logger.error('chunk attempt failed; leaving it for a retry', { reason });
      throw error;
    }
    ctx.logger.error('chunk failed', { reason });
    await ctx.ledger.finishChunk({ runId, chunkNo, succeeded: false, result: { ...counts, failed: counts.failed }, error: reason.slice(0, 2000) }).catch(() => undefined);
    throw error;
  }
}
