// The chunks that write: sync (the ids an event named, each decided from its current row) and
// rebuild (a key range into a new generation, which the last chunk checks, activates and swaps in).
import { checkVector, OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import type { VectorInput } from '../../shared/clients/oss-vectors';
import type { ChunkCounts, IdsSelector, RangeSelector } from '../../shared/contracts';
import type { ChunkRow, IndexRow, RunRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import type { EmbeddingRow } from '../ledger';
import { ensureIndex, shapeOf, toVectorInput } from '../vectors';
import type { WriteQuotaShare } from '../writeQuota';

/** Written vectors a chunk keeps for its validation query: a bounded sample, so memory stays flat however big the chunk. */
const KEPT_FOR_VALIDATION = 1000;

/** One chunk as the worker handles it. */
export interface ChunkJob<TSelector = ChunkRow['selector']> {
  readonly worker: WorkerContext;
  readonly run: RunRow;
  readonly chunk: ChunkRow;
  readonly selector: TSelector;
  /** The run's index (the generation it writes or checks). */
  readonly index: IndexRow;
  /** This chunk's share of the index's write quota, refreshed before each PutVectors. */
  readonly quota: Pick<WriteQuotaShare, 'refresh'>;
}

/** One page of rows to write into the run's index (the first target) and any other targets. */
interface WriteInput {
  readonly runId: string;
  readonly chunkNo: number;
  readonly targets: readonly IndexRow[];
  readonly rows: readonly EmbeddingRow[];
  /** Sync: leave rows whose hash the index already holds. Rebuild: write everything. */
  readonly skipUnchanged: boolean;
  readonly quota: Pick<WriteQuotaShare, 'refresh'>;
}

/** Adds the first vectors of a written page to the kept sample, up to its bound. */
function keepSample(kept: VectorInput[], page: readonly VectorInput[]): void {
  if (kept.length < KEPT_FOR_VALIDATION) kept.push(...page.slice(0, KEPT_FOR_VALIDATION - kept.length));
}

/**
 * Runs one target's writes. A target that answers NoSuchVectorIndex because a rebuild switched
 * generations meanwhile (the ledger has it retired or dropped now) is left out: its vectors went
 * with it, and the generation that replaced it was being built when the targets were read, so it
 * gets the same writes. Any other failure is thrown.
 */
async function unlessGoneMeanwhile(worker: WorkerContext, target: IndexRow, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 404)) throw error;
    const now = await worker.ledger.index(target.index_name);
    if (now !== undefined && now.state !== 'retired' && now.state !== 'dropped') throw error;
    worker.log.warn('generation gone meanwhile (a rebuild switched it out); left out of this write', { indexName: target.index_name, state: now?.state ?? 'unknown' });
  }
}

/**
 * Where a sync writes now: the logical index's active generation (read again for every page, so a
 * rebuild that switches generations mid-chunk is followed) and every generation an open rebuild is
 * building, so a rebuild in progress misses nothing (one a failed rebuild left behind gets nothing). The run's own generation is the fallback while none is active.
 */
async function syncTargets(worker: WorkerContext, index: IndexRow): Promise<IndexRow[]> {
  const active = (await worker.ledger.activeIndex(index.logical_name)) ?? index;
  const building = (await worker.ledger.liveBuildingGenerations(index.logical_name)).filter((g) => g.index_name !== active.index_name);
  return [active, ...building];
}

/**
 * Checks each row's vector against the index's limits (a bad one is recorded as a rejection with
 * its reason and the rest go on), leaves unchanged rows, PutVectors the rest into every target
 * (≤ 500 per call, at this chunk's share of the write quota; the client throttles and retries) and
 * records what each index now holds. Returns the vectors written, for the validation query.
 */
async function writeVectors(worker: WorkerContext, input: WriteInput, counts: ChunkCounts): Promise<VectorInput[]> {
  const [primary] = input.targets;
  if (!primary || input.rows.length === 0) return [];
  const known = input.skipUnchanged ? await worker.ledger.hashes(primary.index_name, input.rows.map((row) => row.document_id)) : new Map<string, string>();
  const put: { row: EmbeddingRow; vector: VectorInput }[] = [];
  const rejected: string[] = [];
  const skipped: string[] = [];
  for (const row of input.rows) {
    const vector = toVectorInput(row);
    const problem = checkVector(vector, shapeOf(primary), worker.oss.config.limits);
    if (problem) {
      await worker.ledger.recordRejection({ runId: input.runId, chunkNo: input.chunkNo, documentId: row.document_id, reason: problem.reason, detail: problem.message });
      rejected.push(row.document_id);
    } else if (known.get(row.document_id) === row.content_hash) skipped.push(row.document_id);
    else put.push({ row, vector });
  }
  const limit = worker.oss.config.limits.maxVectorsPerPut;
  for (const target of input.targets) {
    await unlessGoneMeanwhile(worker, target, async () => {
      if (target !== primary) await ensureIndex(worker.oss, target);
      for (let i = 0; i < put.length; i += limit) {
        const batch = put.slice(i, i + limit);
        await input.quota.refresh();
        await worker.oss.putVectors({ bucket: target.bucket, indexName: target.index_name, vectors: batch.map((item) => item.vector), index: shapeOf(target) });
        await worker.ledger.upsertIndexState(target.index_name, batch.map((item) => item.row.document_id), batch.map((item) => item.row.content_hash));
      }
    });
  }
  const upserted = put.map((item) => item.row.document_id);
  await worker.ledger.recordItems(input.runId, upserted, 'upsert', 'upserted');
  await worker.ledger.recordItems(input.runId, skipped, 'upsert', 'skipped');
  await worker.ledger.recordItems(input.runId, rejected, 'upsert', 'rejected');
  counts.upserted += upserted.length;
  counts.skipped += skipped.length;
  counts.rejected += rejected.length;
  return put.map((item) => item.vector);
}

/**
 * A sync chunk: the ids of its selector (up to CHUNK_MAX_IDS), each decided from its current row,
 * read and written a page of WORKER_BATCH_ROWS at a time. A row that exists is checked and written
 * (or left when the index holds its hash already); an id without a row is deleted from the index.
 * The active generation and any generation being rebuilt get the same writes (read again for each
 * page, see syncTargets), so a rebuild in progress misses nothing and a switch-over mid-chunk is
 * followed. Returns a bounded sample of the written vectors.
 */
export async function syncChunk(job: ChunkJob<IdsSelector>, counts: ChunkCounts): Promise<VectorInput[]> {
  const { worker, run, chunk, index, quota } = job;
  const ids = job.selector.ids;
  const sample: VectorInput[] = [];
  const page = worker.config.WORKER_BATCH_ROWS;
  for (let i = 0; i < ids.length; i += page) {
    const slice = ids.slice(i, i + page);
    const targets = await syncTargets(worker, index);
    const primary = targets[0] ?? index;
    const rows = await worker.ledger.embeddingsByIds(slice);
    keepSample(sample, await writeVectors(worker, { runId: run.run_id, chunkNo: chunk.chunk_no, targets, rows, skipUnchanged: true, quota }, counts));
    const present = new Set(rows.map((row) => row.document_id));
    const gone = [...new Set(slice.filter((id) => !present.has(id)))];
    if (gone.length === 0) continue;
    const held = await worker.ledger.hashes(primary.index_name, gone);
    for (const target of targets) {
      await unlessGoneMeanwhile(worker, target, async () => {
        await worker.oss.deleteVectors({ bucket: target.bucket, indexName: target.index_name, keys: gone });
        await worker.ledger.deleteIndexState(target.index_name, gone);
      });
    }
    const deleted = gone.filter((id) => held.has(id));
    const absent = gone.filter((id) => !held.has(id));
    await worker.ledger.recordItems(run.run_id, deleted, 'delete', 'deleted');
    await worker.ledger.recordItems(run.run_id, absent, 'delete', 'skipped');
    counts.deleted += deleted.length;
    counts.skipped += absent.length;
  }
  return sample;
}

/** A rebuild chunk: every row of its key range, page by page, into the new generation; returns a bounded sample of the written vectors. */
export async function rebuildChunk(job: ChunkJob<RangeSelector>, counts: ChunkCounts): Promise<VectorInput[]> {
  const { worker, run, chunk, index, quota } = job;
  await ensureIndex(worker.oss, index);
  const { through } = job.selector;
  let { after } = job.selector;
  const sample: VectorInput[] = [];
  for (;;) {
    const rows = await worker.ledger.embeddingPage({ after, through, limit: worker.config.WORKER_BATCH_ROWS, withVectors: true });
    if (rows.length === 0) break;
    keepSample(sample, await writeVectors(worker, { runId: run.run_id, chunkNo: chunk.chunk_no, targets: [index], rows, skipUnchanged: false, quota }, counts));
    after = rows[rows.length - 1]?.document_id ?? null;
    worker.log.debug('rebuild page written', { through: after, upserted: counts.upserted });
  }
  return sample;
}

/** What the end of a rebuild did, or why it did not. */
export interface RebuildOutcome {
  readonly activated: boolean;
  readonly dropped: string[];
  readonly reason?: string;
}

/**
 * After the last chunk of a rebuild: checks that the new generation holds every embedding (but the
 * ones rejected), makes it the active one (the old one is retired in the same move, so queries
 * never see an empty index), then deletes the retired generations. Every step is idempotent, so
 * two workers finishing at once are both safe.
 */
export async function finalizeRebuild(worker: WorkerContext, runId: string, index: IndexRow): Promise<RebuildOutcome> {
  if (!(await worker.ledger.chunksSucceeded(runId))) return { activated: false, dropped: [], reason: 'other chunks are still open or failed' };
  const missing = await worker.ledger.missingFrom(index.index_name, runId);
  if (missing > 0) {
    const reason = `generation ${index.index_name} lacks ${missing} embedding(s) after loading; it stays inactive`;
    await worker.ledger.failRun(runId, reason);
    return { activated: false, dropped: [], reason };
  }
  await worker.ledger.activateIndex(index.index_name);
  const dropped: string[] = [];
  for (const old of await worker.ledger.generations(index.logical_name, 'retired')) {
    try {
      await worker.oss.deleteVectorIndex({ bucket: old.bucket, indexName: old.index_name });
    } catch (error) {
      if (!(error instanceof OssVectorsRequestError && error.status === 404)) throw error;
    }
    await worker.ledger.markIndexDropped(old.index_name);
    dropped.push(old.index_name);
  }
  return { activated: true, dropped };
}
