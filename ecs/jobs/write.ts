// The chunks that write: sync (the ids an event named, each decided from its current row) and
// rebuild (a key range into a new generation). Both read a page while the writes of the pages
// before it are in flight (readAhead), decide each row (refused, unchanged or to write) and record
// the page's refused and unchanged rows in one statement, and hand the rest to a BatchWriter, which
// fills batches of 500 across pages and records each batch in one statement once it is written.
// The last chunk of a rebuild checks the new generation, activates it and drops the old ones.
import { OssVectorsRequestError, OssVectorsValidationError } from '../../shared/clients/oss-vectors';
import type { VectorInput, VectorTextInput } from '../../shared/clients/oss-vectors';
import { vectorKey } from '../../shared/contracts';
import type { ChunkCounts, IdsSelector, RangeSelector } from '../../shared/contracts';
import type { ChunkRow, IndexRow, RunRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import type { EmbeddingRow, Outcome, SyncPage } from '../embeddingRows';
import { snippetSourceChars } from '../snippet';
import { ensureIndex, shapeOf, takesSnippets, toVectorInput, vectorHash } from '../vectors';
import type { WriteQuotaShare } from '../writeQuota';
import { BatchWriter } from './batchWriter';
import type { DeleteItem, PutItem } from './batchWriter';

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
  /** This chunk's share of the index's write quota, refreshed before each write call. */
  readonly quota: Pick<WriteQuotaShare, 'refresh'>;
}

/**
 * Yields pages read one ahead: the next page is being read while the caller checks and writes the
 * current one, so at most two pages of rows are held (the one yielded and the one being read).
 * `next` gets the page just read and answers the read of the one after it (undefined: no more).
 */
export async function* readAhead<T>(first: Promise<T | undefined>, next: (page: T) => Promise<T | undefined>): AsyncGenerator<T, void, undefined> {
  let pending = first;
  for (;;) {
    const page = await pending;
    if (page === undefined) return;
    pending = next(page);
    // A caller that stops early (a failed write) never awaits this read: settle it quietly.
    pending.catch(() => undefined);
    yield page;
  }
}

/** A row that passed the checks, with what its targets are sent. */
interface Decided {
  readonly row: EmbeddingRow;
  readonly input: VectorTextInput;
  readonly item: PutItem;
}

/** A page's rows by document, in order (a page never cuts a document's passages in two). */
function byDocument(rows: readonly EmbeddingRow[]): EmbeddingRow[][] {
  const groups: EmbeddingRow[][] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last[0]?.document_id === row.document_id) last.push(row);
    else groups.push([row]);
  }
  return groups;
}

/**
 * Checks a page's documents against the first target's shape, all the passages of a document
 * together: a refused passage makes the document a rejection with its reason (none of its passages
 * is written) and the rest go on; with `held`, a passage whose vector (model, text and metadata,
 * see vectorHash) the index holds already is left as it is, and a document left whole is unchanged.
 * Both are recorded in one statement. Returns the passages to write; the first of each document
 * settles its outcome. `settled` gets the documents that have a write to settle them; a document of
 * `shrunk` (vectors to delete past its end) with nothing to write is left for its deletes to settle.
 */
async function decide(job: ChunkJob<unknown>, rows: readonly EmbeddingRow[], primary: IndexRow, held: ReadonlyMap<string, string> | undefined, counts: ChunkCounts, shrunk?: ReadonlySet<string>, settled?: Set<string>): Promise<Decided[]> {
  const { worker } = job;
  const shape = shapeOf(primary);
  const decided: Decided[] = [];
  const outcomes: Outcome[] = [];
  for (const passages of byDocument(rows)) {
    const documentId = passages[0]?.document_id ?? '';
    const checked = passages.map((row) => {
      const input = toVectorInput(row, primary, worker.config.SNIPPET_CHARS);
      return { row, input, vector: worker.oss.prepareVector(input, shape), hash: vectorHash(input, row.model, row.passage_hash) };
    });
    const refused = checked.find((c) => c.vector instanceof OssVectorsValidationError)?.vector;
    if (refused instanceof OssVectorsValidationError) {
      outcomes.push({ documentId, op: 'upsert', outcome: 'rejected', reason: refused.reason, detail: refused.message });
      continue;
    }
    const changed = checked.filter((c) => held?.get(c.input.key) !== c.hash);
    if (changed.length === 0) {
      // A document with vectors to delete past its end settles with that delete instead.
      if (!shrunk?.has(documentId)) outcomes.push({ documentId, op: 'upsert', outcome: 'skipped' });
      continue;
    }
    settled?.add(documentId);
    changed.forEach(({ row, input, vector, hash }, index) => {
      if (vector instanceof OssVectorsValidationError) return;
      decided.push({ row, input, item: { documentId, passageNo: row.passage_no, contentHash: row.content_hash, vectorHash: hash, vector, version: row.version, readAt: row.read_at, settles: index === 0 } });
    });
  }
  await worker.ledger.recordOutcomes(job.run.run_id, job.chunk.chunk_no, outcomes);
  for (const outcome of outcomes) counts[outcome.outcome === 'rejected' ? 'rejected' : 'skipped'] += 1;
  return decided;
}

/**
 * What one target is sent of a page: the vectors as checked for the first target, or checked again
 * when this target's shape differs (a refusal then fails the chunk, as OSS would refuse the batch).
 * Only the first target's writes settle outcomes.
 */
function itemsFor(worker: WorkerContext, decided: readonly Decided[], target: IndexRow, primary: IndexRow): PutItem[] {
  const first = target === primary;
  const sameShape = target.dimension === primary.dimension && target.metric === primary.metric && takesSnippets(target) === takesSnippets(primary);
  if (sameShape) return decided.map(({ item }) => ({ ...item, settles: first && item.settles }));
  return decided.map(({ row, item }) => {
    // This generation takes snippets or not unlike the first: its vectors carry other metadata.
    const input = toVectorInput(row, target, worker.config.SNIPPET_CHARS);
    const vector = worker.oss.prepareVector(input, shapeOf(target));
    if (vector instanceof OssVectorsValidationError) throw vector;
    return { ...item, vector, vectorHash: vectorHash(input, row.model, row.passage_hash), settles: first && item.settles };
  });
}

/**
 * The deletes of a sync page for one target: every vector index_state holds past a document's
 * current passages, or of a gone document (and a gone document's first key even when nothing is
 * held: the index may hold it all the same). A gone document settles as deleted (or skipped when
 * nothing was held); a document whose passages needed no write settles with its first surplus delete.
 */
function deletesFor(page: SyncPage, target: IndexRow, primary: IndexRow, settled: ReadonlySet<string>): DeleteItem[] {
  const first = target === primary;
  const gone = new Set(page.gone);
  const items: DeleteItem[] = [];
  const settling = new Set<string>();
  const settles = (documentId: string): boolean => {
    if (!first || settled.has(documentId) || settling.has(documentId)) return false;
    settling.add(documentId);
    return true;
  };
  for (const [documentId, passageNo] of page.surplus) {
    items.push({ documentId, passageNo, key: vectorKey(documentId, passageNo), op: gone.has(documentId) ? 'delete' : 'upsert', held: true, settles: settles(documentId), readAt: page.readAt });
  }
  for (const documentId of page.gone) {
    if (!page.held.has(vectorKey(documentId, 0))) items.push({ documentId, passageNo: 0, key: documentId, op: 'delete', held: false, settles: settles(documentId), readAt: page.readAt });
  }
  return items;
}

/** Adds the first written vectors of a page to the kept sample, up to its bound (their values parsed again only for these). */
function keepSample(kept: VectorInput[], decided: readonly Decided[]): void {
  for (const { input } of decided.slice(0, Math.max(0, KEPT_FOR_VALIDATION - kept.length))) kept.push({ key: input.key, data: JSON.parse(input.dataText) as number[] });
}

/** Runs the reading side of a chunk against a writer: the writer finishes (its failure thrown) or, when reading fails, settles first. */
async function writing(writer: BatchWriter, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    await writer.settle();
    throw error;
  }
  await writer.finish();
}

/**
 * Where a sync writes now: the logical index's active generation (read again for every page, so a
 * rebuild that switches generations mid-chunk is followed) and every generation an open rebuild is
 * building, so a rebuild in progress misses nothing (one a failed rebuild left behind gets nothing).
 * The run's own generation is the fallback while none is active.
 */
async function syncTargets(worker: WorkerContext, index: IndexRow): Promise<IndexRow[]> {
  const generations = await worker.ledger.writeTargets(index.logical_name);
  const active = generations.find((g) => g.state === 'active') ?? index;
  return [active, ...generations.filter((g) => g.state === 'building' && g.index_name !== active.index_name)];
}

/**
 * A sync chunk: the ids of its selector (up to CHUNK_MAX_IDS, each once), each decided from its
 * current row, read a page of WORKER_BATCH_ROWS at a time. A row that exists is checked and written
 * (or left when the index holds that very vector already: same values, same metadata); an id without a row is deleted from the index.
 * The active generation and any generation being rebuilt get the same writes (read again for each
 * page, see syncTargets), so a rebuild in progress misses nothing and a switch-over mid-chunk is
 * followed. Returns a bounded sample of the written vectors.
 */
export async function syncChunk(job: ChunkJob<IdsSelector>, counts: ChunkCounts): Promise<VectorInput[]> {
  const { worker, index } = job;
  // Each id once: two writes of one key in flight at once could land in either order.
  const ids = [...new Set(job.selector.ids)];
  const size = worker.config.WORKER_BATCH_ROWS;
  const sample: VectorInput[] = [];
  const writer = new BatchWriter({ worker, runId: job.run.run_id, chunkNo: job.chunk.chunk_no, quota: job.quota, counts });
  const read = async (start: number) => {
    if (start >= ids.length) return undefined;
    const targets = await syncTargets(worker, index);
    const primary = targets[0] ?? index;
    return { start, targets, primary, page: await worker.ledger.syncPage(ids.slice(start, start + size), primary.index_name, snippetSourceChars(worker.config.SNIPPET_CHARS)) };
  };
  await writing(writer, async () => {
    for await (const { targets, primary, page } of readAhead(read(0), (previous) => read(previous.start + size))) {
      const settled = new Set<string>();
      const gone = new Set(page.gone);
      const shrunk = new Set(page.surplus.map(([documentId]) => documentId).filter((id) => !gone.has(id)));
      const decided = await decide(job, page.rows, primary, page.heldVectors, counts, shrunk, settled);
      keepSample(sample, decided);
      for (const target of targets) await writer.put(target, itemsFor(worker, decided, target, primary), target !== primary, target === primary);
      for (const target of targets) {
        const deletes = deletesFor(page, target, primary, settled);
        if (deletes.length > 0) await writer.delete(target, deletes, target === primary);
      }
    }
  });
  return sample;
}

/** A rebuild chunk: every row of its key range, page by page, into the new generation; returns a bounded sample of the written vectors. */
export async function rebuildChunk(job: ChunkJob<RangeSelector>, counts: ChunkCounts): Promise<VectorInput[]> {
  const { worker, index } = job;
  await ensureIndex(worker.oss, index);
  const { through } = job.selector;
  const sample: VectorInput[] = [];
  const writer = new BatchWriter({ worker, runId: job.run.run_id, chunkNo: job.chunk.chunk_no, quota: job.quota, counts });
  const read = async (after: string | null) => {
    const rows = await worker.ledger.embeddingPage({ after, through, limit: worker.config.WORKER_BATCH_ROWS, withVectors: true, headChars: snippetSourceChars(worker.config.SNIPPET_CHARS) });
    return rows.length === 0 ? undefined : rows;
  };
  await writing(writer, async () => {
    for await (const rows of readAhead(read(job.selector.after), (previous) => read(previous[previous.length - 1]?.document_id ?? null))) {
      const decided = await decide(job, rows, index, undefined, counts);
      keepSample(sample, decided);
      await writer.put(index, itemsFor(worker, decided, index, index), false, true);
      worker.log.debug('rebuild page read', { through: rows[rows.length - 1]?.document_id, upserted: counts.upserted });
    }
  });
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
  // Every chunk succeeded: an embedding the generation lacks was written into a key range already
  // loaded, by a sync that did not see the generation yet. It is queued for a sync, which writes it
  // into the generation once active (complete_run does the same when it closes the run).
  const queued = await worker.ledger.queueMissingFrom(index.index_name, runId);
  if (queued > 0) worker.log.warn('embeddings written behind the rebuild queued for a sync', { indexName: index.index_name, queued });
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
