import { setTimeout as sleep } from 'node:timers/promises';
import { OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import { noCounts } from '../../shared/contracts';
import type { ChunkResult, IdsSelector, RangeSelector } from '../../shared/contracts';
import { classifyError, describeError } from '../../shared/errors';
import { LedgerRefusedError, LedgerShapeError } from '../../shared/ledger';
import type { ChunkRow, RunRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { writeQuotaFor } from '../writeQuota';
import { validationQuery, verifyChunk } from './verify';
import { searchChunk } from './search';
import { finalizeRebuild, rebuildChunk, syncChunk } from './write';
import type { ChunkJob, RebuildOutcome } from './write';

/** What a chunk command reports: the run, the chunk and what it did. */
export type ChunkOutcome = ChunkResult & { readonly runId: string; readonly chunkNo: number; readonly op: RunRow['op']; readonly generation?: RebuildOutcome };

/** The chunk moves to 'running'. dispatch records the RunCommand right after it returns, so a fast
 * worker may find the chunk still 'ready' for a moment: it waits a little for that record. */
async function markRunning(worker: WorkerContext, runId: string, chunkNo: number): Promise<ChunkRow> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await worker.ledger.markChunkRunning(runId, chunkNo);
    } catch (error) {
      const chunk = await worker.ledger.chunk(runId, chunkNo);
      if (!(error instanceof LedgerRefusedError) || chunk?.state !== 'ready' || attempt >= 20) throw error;
      await sleep(250);
    }
  }
}

/** A selector of the other kind than the run's op needs: the ledger and the code disagree. */
function wrongSelector(job: ChunkJob, wanted: string): LedgerShapeError {
  return new LedgerShapeError(`chunk ${job.chunk.chunk_no} of ${job.run.op} run ${job.run.run_id} has no ${wanted} selector`, { details: { runId: job.run.run_id, chunkNo: job.chunk.chunk_no } });
}

function withIds(job: ChunkJob): ChunkJob<IdsSelector> {
  const { selector } = job;
  if ('ids' in selector) return { ...job, selector };
  throw wrongSelector(job, 'ids');
}

function withRange(job: ChunkJob): ChunkJob<RangeSelector> {
  const { selector } = job;
  if ('through' in selector) return { ...job, selector };
  throw wrongSelector(job, 'key range');
}

/** The chunk's own work by the run's op. */
async function work(job: ChunkJob, result: ChunkResult): Promise<void> {
  const { worker, run, index } = job;
  if (run.op === 'verify') {
    Object.assign(result, await verifyChunk(withRange(job), result));
    return;
  }
  if (run.op === 'search') {
    result.search = await searchChunk(job);
    return;
  }
  const written = run.op === 'sync' ? await syncChunk(withIds(job), result) : await rebuildChunk(withRange(job), result);
  // Its share of the index's quota goes back to the chunks still writing while this one validates.
  await worker.ledger.markWritesDone(run.run_id, job.chunk.chunk_no).catch((error: unknown) => worker.log.warn('marking the writes done failed; the share stays taken until the chunk ends', { error: describeError(error) }));
  if (written.length === 0 || worker.config.VALIDATION_SAMPLE === 0) return;
  // A sync wrote into the active generation, which a rebuild may have switched since the run began.
  const searched = run.op === 'sync' ? ((await worker.ledger.activeIndex(index.logical_name)) ?? index) : index;
  try {
    result.validation = await validationQuery(worker, searched, written);
  } catch (error) {
    // A rebuild switched generations and dropped the one searched while the query waited: the
    // sync wrote the same vectors into the generation being built, which is the active one now.
    const now = run.op === 'sync' && error instanceof OssVectorsRequestError && error.status === 404 ? await worker.ledger.activeIndex(index.logical_name) : undefined;
    if (now === undefined || now.index_name === searched.index_name) throw error;
    worker.log.warn('generation switched during the validation query; asking the active one', { searched: searched.index_name, active: now.index_name });
    result.validation = await validationQuery(worker, now, written);
  }
}

/**
 * Runs one chunk of a run and writes its result to the ledger: the counts, the validation query,
 * drift for verify, the speed, the write calls sent and how many were answered 429. A permanent
 * failure is recorded on the chunk with its reason; a transient one (OSS or the ledger still
 * failing after their retries) leaves the chunk running, so that collect-stats requeues it for
 * another attempt (bounded). Either way it is rethrown for the exit code.
 */
export async function runChunk(worker: WorkerContext, runId: string, chunkNo: number): Promise<ChunkOutcome | { runId: string; chunkNo: number; state: string; note: string }> {
  const started = performance.now();
  const current = await worker.ledger.chunk(runId, chunkNo);
  if (!current) throw new LedgerRefusedError(`chunk ${chunkNo} of run ${runId} does not exist`, { code: 'P0002', details: { runId, chunkNo } });
  if (current.state === 'succeeded' || current.state === 'failed') return { runId, chunkNo, state: current.state, note: 'already final; nothing done' };
  const chunk = current.state === 'running' ? current : await markRunning(worker, runId, chunkNo);
  const run = await worker.ledger.run(runId);
  const index = run ? await worker.ledger.index(run.index_name) : undefined;
  if (!run || !index) throw new LedgerRefusedError(`run ${runId} or its index is not in the ledger`, { code: 'P0002', details: { runId } });
  const result: ChunkResult = noCounts();
  const writesBefore = worker.oss.writeStats;
  try {
    await work({ worker, run, chunk, selector: chunk.selector, index, quota: writeQuotaFor(worker, index.logical_name) }, result);
    const seconds = (performance.now() - started) / 1000;
    const writes = worker.oss.writeStats;
    result.durationMs = Math.round(seconds * 1000);
    result.vectorsPerSecond = Math.round((result.vectorsWritten ?? result.upserted) / Math.max(seconds, 0.001));
    result.writeCalls = writes.calls - writesBefore.calls;
    result.throttledCalls = writes.throttled - writesBefore.throttled;
    await worker.ledger.finishChunk({ runId, chunkNo, succeeded: true, result });
    const generation = run.op === 'rebuild' ? await finalizeRebuild(worker, runId, index) : undefined;
    return { runId, chunkNo, op: run.op, ...result, ...(generation ? { generation } : {}) };
  } catch (error) {
    const reason = describeError(error).message;
    if (classifyError(error) === 'transient') {
      // Left running: the non-zero exit makes collect-stats requeue it for another attempt.
      worker.log.error('chunk attempt failed; leaving it for a retry', { reason });
      throw error;
    }
    worker.log.error('chunk failed', { reason });
    const counts = { upserted: result.upserted, deleted: result.deleted, skipped: result.skipped, rejected: result.rejected, failed: result.failed };
    await worker.ledger.finishChunk({ runId, chunkNo, succeeded: false, result: counts, error: reason.slice(0, 2000) }).catch(() => undefined);
    throw error;
  }
}
