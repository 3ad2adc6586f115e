// The chunks that check: verify (the index against Postgres, key by key, in both directions) and
// the validation query every writing chunk ends with (sampled vectors must find themselves).
import { setTimeout as sleep } from 'node:timers/promises';
import type { VectorInput } from '../../shared/clients/oss-vectors';
import { parseVectorKey, VerifyParamsSchema } from '../../shared/contracts';
import type { ChunkCounts, Drift, RangeSelector, RecallResult, ValidationResult } from '../../shared/contracts';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { rowKey } from '../embeddingRows';
import { snippetSourceChars } from '../snippet';
import { canonicalMetadata, shapeOf, toVectorInput } from '../vectors';
import { runParams } from './params';
import { sampleRecall } from './recall';
import type { ChunkJob } from './write';

const MAX_SEGMENTS = 16;
const GET_KEYS = 100;

/**
 * A verify chunk. Postgres → index: the rows of its key range, page by page, looked up with
 * GetVectors (keys and metadata) → missing vectors, and stale ones (metadata other than a sync would
 * write now: another content_hash, changed document metadata, another snippet); either of a
 * document refused since it last changed counts as rejected instead. Index → Postgres:
 * chunk k of n scans ListVectors segment k of min(n, 16) → keys without a row (orphans). With the
 * run's `heal` on (the default), the drift is healed by forgetting those ids in index_state and
 * putting them back on the `vector_sync` queue, so the normal pipeline writes or deletes them;
 * with `heal: false` it is reported and left in place. Chunk 0 also measures recall@RECALL_K over
 * RECALL_SAMPLE documents (recall.ts).
 */
export async function verifyChunk(job: ChunkJob<RangeSelector>, counts: ChunkCounts): Promise<{ drift: Drift; healed: number; healSkipped?: true; recall?: RecallResult }> {
  const { worker, run, chunk, index } = job;
  const { heal } = runParams(run, VerifyParamsSchema);
  const drift: Drift = { rejected: 0, missing: 0, stale: 0, orphaned: 0, examples: [] };
  // Drifted vectors by kind: missing and stale ones are forgotten in index_state (the sync writes
  // them again), orphans are recorded there (the sync deletes them); their documents are queued.
  const forget: string[] = [];
  const orphans: string[] = [];
  const note = (kind: 'missing' | 'stale' | 'orphaned', keys: readonly string[]): void => {
    drift[kind] += keys.length;
    (kind === 'orphaned' ? orphans : forget).push(...keys);
    for (const key of keys) if (drift.examples.length < 5) drift.examples.push(key);
  };
  const { through } = job.selector;
  let { after } = job.selector;
  for (;;) {
    const rows = await worker.ledger.embeddingPage({ after, through, limit: worker.config.WORKER_BATCH_ROWS, withVectors: false, headChars: snippetSourceChars(worker.config.SNIPPET_CHARS) });
    if (rows.length === 0) break;
    for (let i = 0; i < rows.length; i += GET_KEYS) {
      const slice = rows.slice(i, i + GET_KEYS);
      const found = await worker.oss.getVectors({ bucket: index.bucket, indexName: index.index_name, keys: slice.map(rowKey), returnMetadata: true });
      const held = new Map(found.map((vector) => [vector.key, canonicalMetadata(vector.metadata)]));
      const absent = slice.filter((row) => !held.has(rowKey(row)));
      // Stale: the index holds other metadata than a sync would write now (content_hash among it).
      const expected = (row: (typeof slice)[number]) => canonicalMetadata(toVectorInput(row, index, worker.config.SNIPPET_CHARS).metadata);
      const stale = slice.filter((row) => held.has(rowKey(row)) && held.get(rowKey(row)) !== expected(row));
      // A document refused since it last changed (its metadata grew too big) is no drift a sync could heal.
      const refused = await worker.ledger.knownRejections([...new Set([...absent, ...stale].map((row) => row.document_id))]);
      note('missing', absent.filter((row) => !refused.has(row.document_id)).map(rowKey));
      note('stale', stale.filter((row) => !refused.has(row.document_id)).map(rowKey));
      drift.rejected += [...absent, ...stale].filter((row) => refused.has(row.document_id)).length;
      counts.skipped += new Set(slice.map((row) => row.document_id)).size;
    }
    after = rows[rows.length - 1]?.document_id ?? null;
  }
  const segments = Math.min(Math.max(run.chunk_count ?? 1, 1), MAX_SEGMENTS);
  if (chunk.chunk_no < segments) {
    let nextToken: string | undefined;
    do {
      const page = await worker.oss.listVectors({ bucket: index.bucket, indexName: index.index_name, maxResults: 1000, segmentCount: segments, segmentIndex: chunk.chunk_no, ...(nextToken ? { nextToken } : {}) });
      const keys = page.vectors.map((vector) => vector.key);
      const existing = await worker.ledger.existingVectorKeys(keys);
      note('orphaned', keys.filter((key) => !existing.has(key)));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  // Search quality once per run (the sample spans the whole sidecar), by the first chunk.
  const recall = chunk.chunk_no === 0 ? await sampleRecall(worker, run.run_id, index, worker.config.RECALL_SAMPLE, worker.config.RECALL_K) : undefined;
  const measured = recall ? { recall } : {};
  if (forget.length + orphans.length === 0) return { drift, healed: 0, ...measured };
  if (!heal) return { drift, healed: 0, healSkipped: true, ...measured };
  const forgotten = forget.map(parseVectorKey);
  await worker.ledger.deleteIndexState(index.index_name, forgotten.map((key) => key.documentId), forgotten.map((key) => key.passageNo));
  await worker.ledger.noteHeldVectors(index.index_name, orphans);
  const documents = [...new Set([...forget, ...orphans].map((key) => parseVectorKey(key).documentId))];
  return { drift, healed: await worker.ledger.enqueueSync(documents), ...measured };
}

/** Up to `count` vectors spread over the written ones. */
function sample(vectors: readonly VectorInput[], count: number): VectorInput[] {
  if (vectors.length <= count) return [...vectors];
  const step = vectors.length / count;
  return Array.from({ length: count }, (_, i) => vectors[Math.floor(i * step)]).filter((v): v is VectorInput => v !== undefined);
}

/**
 * Queries the index with sampled vectors it was just given: each must come back as its own top-1
 * (or at distance 0, when an identical vector sits beside it). New vectors may take a moment to
 * become searchable, so misses are asked again with growing pauses, for at most SEARCHABLE_WAIT_SECONDS.
 */
export async function validationQuery(worker: WorkerContext, index: IndexRow, written: readonly VectorInput[]): Promise<ValidationResult> {
  const picked = sample(written, worker.config.VALIDATION_SAMPLE);
  const started = Date.now();
  const deadline = started + worker.config.SEARCHABLE_WAIT_SECONDS * 1000;
  let pending = picked;
  let pause = 100;
  for (;;) {
    const misses: VectorInput[] = [];
    for (const vector of pending) {
      const [top] = await worker.oss.queryVectors({ bucket: index.bucket, indexName: index.index_name, queryVector: vector.data, topK: 1, returnDistance: true, index: shapeOf(index) });
      if (!(top && (top.key === vector.key || (top.distance ?? 1) <= 1e-6))) misses.push(vector);
    }
    pending = misses;
    if (pending.length === 0 || Date.now() + pause > deadline) break;
    await sleep(pause);
    pause = Math.min(pause * 2, 2000);
  }
  return { sampled: picked.length, matched: picked.length - pending.length, waitedMs: Date.now() - started };
}
