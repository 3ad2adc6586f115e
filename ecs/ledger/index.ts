// The worker's view of the database: the ledger moves every handler makes, the source rows
// (ledger/sourceRows.ts), plus the reads and writes only the worker does (what each index holds,
// rejections, run items, generations, re-enqueueing drift). Every statement goes through the
// ledger's helpers; a chunk's writes are recorded one statement per page and one per write call,
// never per row.
import type { Sql } from 'postgres';
import { parseVectorKey } from '../../shared/contracts';
import { IndexRowSchema } from '../../shared/ledger';
import type { IndexRow } from '../../shared/ledger';
import { outcomeArrays } from '../embeddingRows';
import type { Outcome } from '../embeddingRows';
import { SourceLedger } from './sourceRows';

export type { EmbeddingPageInput } from './sourceRows';

/** What one write call did, for the ledger: what the index now holds and the documents' outcomes. */
export interface WriteRecord {
  readonly runId: string;
  readonly chunkNo: number;
  /** The index written, or undefined when it was gone meanwhile (nothing to hold). */
  readonly indexName: string | undefined;
  readonly ids: readonly string[];
  /** The passage of each of `ids` (the vectors written or deleted). */
  readonly passageNos: readonly number[];
  /** Upserted: the hashes the index now holds for `ids`. Absent: `ids` were deleted. */
  readonly hashes?: readonly string[];
  /** Upserted: the hashes of the vectors written (model and metadata), as `vectorHash` makes them. */
  readonly vectorHashes?: readonly string[];
  /** The version of each vector's rows as read (null: there was none, as for a delete). */
  readonly versions: readonly (string | null)[];
  /** When each vector's rows were read. */
  readonly readAts: readonly (string | null)[];
  /** The outcomes this write settles (those of the documents whose page had this index first). */
  readonly outcomes: readonly Outcome[];
}

/** The ledger as the worker uses it: the functions' moves plus the worker's own queries. */
export class WorkerLedger extends SourceLedger {
  /** Records that an index holds these vectors (found by verify, unknown to index_state), so the next sync of their documents deletes them. */
  async noteHeldVectors(indexName: string, keys: readonly string[]): Promise<void> {
    const parsed = keys.map(parseVectorKey);
    if (parsed.length === 0) return;
    // The hash is of nothing current: a sync compares it with no row and deletes the vector.
    const unknown = '0'.repeat(64);
    await this.query('note_held_vectors', (sql) => sql`
      select vector_sync.upsert_index_state(${indexName}, ${parsed.map((key) => key.documentId)}::text[], ${parsed.map(() => unknown)}::text[], null, ${parsed.map((key) => key.passageNo)}::int[]) as n`);
  }

  /** Queues for a sync the embeddings the generation lacks (but those refused during this run): the end of a rebuild. Answers how many. */
  queueMissingFrom(indexName: string, runId: string): Promise<number> {
    return this.count('queue_missing_from', (sql) => sql`select vector_sync.queue_missing_from(${indexName}, ${runId}) as n`);
  }

  // --- what each index holds ---

  /** Generations of a logical index in one state, oldest first. */
  generations(logicalName: string, state: IndexRow['state']): Promise<IndexRow[]> {
    return this.many('generations', IndexRowSchema, (sql) => sql`select * from vector_sync.indexes where logical_name = ${logicalName} and state = ${state} order by created_at, index_name`);
  }

  /**
   * The generations a sync writes into, in one statement: the logical index's active one first, then
   * those being built by a rebuild that is still open. A generation left 'building' by a rebuild
   * that failed (or was never opened) is not one: writing into it would only feed an index that
   * will never be activated.
   */
  writeTargets(logicalName: string): Promise<IndexRow[]> {
    return this.many('write_targets', IndexRowSchema, (sql) => sql`
      select i.* from vector_sync.indexes as i
      where i.logical_name = ${logicalName}
        and (i.state = 'active' or (i.state = 'building'
          and exists (select 1 from vector_sync.runs as r where r.index_name = i.index_name and r.op = 'rebuild' and r.state not in ('completed', 'failed'))))
      order by i.state = 'active' desc, i.created_at, i.index_name`);
  }

  /** Forgets vectors in index_state: every passage of the ids, or (with `passageNos`, one per id) those passages; answers how many rows it had. */
  async deleteIndexState(indexName: string, ids: readonly string[], passageNos?: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.count('delete_index_state', (sql) => sql`select vector_sync.delete_index_state(${indexName}, ${[...ids]}::text[], ${passageNos === undefined ? null : [...passageNos]}::int[]) as n`);
  }

  async markIndexDropped(indexName: string): Promise<void> {
    await this.query('mark_index_dropped', (sql) => sql`select 1 from vector_sync.mark_index_dropped(${indexName})`);
  }

  // --- the run's items and rejections ---

  /** A page's decided outcomes (skipped, rejected with reasons) in one statement. */
  async recordOutcomes(runId: string, chunkNo: number, outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.query('record_outcomes', (sql) => sql`select ${outcomesCall(sql, runId, chunkNo, outcomes)} as recorded`);
  }

  /**
   * What one write call did, in one statement: index_state of the index written, against what was
   * read (record_index_writes: a vector whose rows changed since it was read is held as unknown and
   * its document queued again), and the outcomes it settles. Answers how many documents were queued so.
   */
  async recordWrite(record: WriteRecord): Promise<number> {
    const { indexName, ids, passageNos, hashes, vectorHashes, versions, readAts, outcomes } = record;
    const none = ids.map(() => null);
    // The times go as text, cast in SQL: postgres.js would send a timestamptz parameter through a
    // JavaScript Date, cutting microseconds, and every version would then differ from the row's.
    const state = indexName === undefined || ids.length === 0 ? undefined : (sql: Sql) => sql`vector_sync.record_index_writes(
      ${indexName}, ${[...ids]}::text[], ${[...passageNos]}::int[], ${hashes === undefined ? none : [...hashes]}::text[],
      ${vectorHashes === undefined ? none : [...vectorHashes]}::text[], ${[...versions]}::text[]::timestamptz[], ${[...readAts]}::text[]::timestamptz[])`;
    if (state === undefined && outcomes.length === 0) return 0;
    const rows = await this.query('record_write', (sql) => {
      if (state === undefined) return sql`select 0 as requeued, ${outcomesCall(sql, record.runId, record.chunkNo, outcomes)} as recorded`;
      if (outcomes.length === 0) return sql`select ${state(sql)} as requeued`;
      return sql`select ${state(sql)} as requeued, ${outcomesCall(sql, record.runId, record.chunkNo, outcomes)} as recorded`;
    });
    return Number(rows[0]?.requeued ?? 0);
  }

  /**
   * Of these ids, the ones whose vector was refused after their embedding and their document last
   * changed (a metadata change can make a refused document fit, or a written one too big).
   */
  async knownRejections(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.query('known_rejections', (sql) => sql`
      select distinct r.document_id from vector_sync.rejections as r
      join public.document_embeddings as e on e.document_id::text = r.document_id
      join public.source_documents as d on d.id = e.document_id
      where r.document_id = any(${[...ids]}::text[]) and r.rejected_at >= greatest(e.updated_at, d.updated_at)`);
    return new Set(rows.map((row) => String(row.document_id)));
  }

  /**
   * Chunks of sync and rebuild runs on any generation of `logicalName` running now: the writers
   * that share the index's write quota (a verify chunk does not write).
   */
  writersOf(logicalName: string): Promise<number> {
    return this.count('index_writers', (sql) => sql`
      select count(*) as n
      from vector_sync.chunks as c
      join vector_sync.runs as r on r.run_id = c.run_id
      join vector_sync.indexes as i on i.index_name = r.index_name
      where c.state = 'running' and r.op in ('sync', 'rebuild') and i.logical_name = ${logicalName}
        -- A chunk that has finished writing (it may still validate) takes no share; a mark older
        -- than the attempt's running_at is an earlier attempt's.
        and (c.writes_done_at is null or c.writes_done_at < c.running_at)`);
  }

  /** Marks that the chunk's running attempt has finished writing: it no longer takes a share of the index's write quota. */
  async markWritesDone(runId: string, chunkNo: number): Promise<void> {
    await this.query('mark_chunk_writes_done', (sql) => sql`select vector_sync.mark_chunk_writes_done(${runId}, ${chunkNo})`);
  }

  /** True when every chunk of the run has succeeded. */
  async chunksSucceeded(runId: string): Promise<boolean> {
    const rows = await this.query('chunks_succeeded', (sql) => sql`
      select count(*) filter (where c.state <> 'succeeded') as open, r.chunk_count
      from vector_sync.runs as r left join vector_sync.chunks as c on c.run_id = r.run_id
      where r.run_id = ${runId} group by r.chunk_count`);
    const row = rows[0];
    return row !== undefined && row.chunk_count !== null && Number(row.open) === 0;
  }
  /** Puts ids back on the `vector_sync` queue (unless one waits already) so the pipeline syncs them. */
  async enqueueSync(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.count('send_unless_waiting', (sql) => sql`select vector_sync.send_unless_waiting('vector_sync', ${[...ids]}::text[]) as n`);
  }
}

/** The call of `vector_sync.record_outcomes` for these outcomes, as a fragment of a select list. */
function outcomesCall(sql: Sql, runId: string, chunkNo: number, outcomes: readonly Outcome[]) {
  const a = outcomeArrays(outcomes);
  return sql`vector_sync.record_outcomes(${runId}, ${chunkNo}, ${a.ids}::text[], ${a.ops}::text[], ${a.outcomes}::text[], ${a.reasons}::text[], ${a.details}::text[])`;
}
