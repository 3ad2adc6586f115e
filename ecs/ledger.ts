// The worker's view of the database: the ledger moves every handler makes, plus the reads and
// writes only the worker does (the current embedding rows, what each index holds, rejections,
// run items, generations, re-enqueueing drift). Every statement goes through the ledger's helpers;
// a chunk's writes are recorded one statement per page and one per write call, never per row.
import type { Sql } from 'postgres';
import { isUuid, parseVectorKey, vectorKey } from '../shared/contracts';
import { IndexRowSchema, Ledger } from '../shared/ledger';
import type { IndexRow } from '../shared/ledger';
import { outcomeArrays, parseEmbeddingRow, parseSyncPage } from './embeddingRows';
import type { EmbeddingRow, Outcome, SyncPage } from './embeddingRows';

/** One keyset page of a key range: rows with `after < id <= through` (null = open end), in id order. */
export interface EmbeddingPageInput {
  readonly after: string | null;
  readonly through: string | null;
  readonly limit: number;
  /** Read the vector too (verify compares metadata only). */
  readonly withVectors: boolean;
  /** Characters of content to read for snippets (0: none). */
  readonly headChars: number;
}

/** The start of a passage's text, `chars` characters at most and never past the passage's end. */
function passageHead(sql: Sql, chars: number) {
  return sql`substr(d.content, e.passage_start + 1, least(${chars}::int, coalesce(e.passage_chars, ${chars}::int)))`;
}

/** Checks rows from Postgres; a bad row fails the page with the document id in the message. */
function parseEmbeddingRows(rows: readonly Record<string, unknown>[]): EmbeddingRow[] {
  return rows.map(parseEmbeddingRow);
}

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
  /** The outcomes this write settles (those of the documents whose page had this index first). */
  readonly outcomes: readonly Outcome[];
}

/** The ledger as the worker uses it: the functions' moves plus the worker's own queries. */
export class WorkerLedger extends Ledger {
  // --- the source rows ---

  /** The current passage rows of these document ids (uuids only; unknown ids are left out), in id then passage order. */
  async embeddingsByIds(ids: readonly string[]): Promise<EmbeddingRow[]> {
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0) return [];
    return parseEmbeddingRows(await this.query('read_embeddings', (sql) => sql`
      select e.document_id::text as document_id, e.passage_no, e.content_hash, e.passage_hash, e.embedding::text as embedding, d.metadata
      from public.document_embeddings as e
      join public.source_documents as d on d.id = e.document_id
      where e.document_id = any(${uuids}::uuid[])
      order by e.document_id, e.passage_no`));
  }

  /**
   * One page of a sync chunk in one statement: each id's current passages (a non-uuid id never has
   * any) and what `indexName` holds of it, vector by vector; a vector held past the current passages
   * comes with null embedding columns, and an id with neither with a null passage.
   */
  async syncPage(ids: readonly string[], indexName: string, headChars: number): Promise<SyncPage> {
    if (ids.length === 0) return { rows: [], gone: [], held: new Map(), heldVectors: new Map(), surplus: [] };
    const uuids = ids.filter(isUuid);
    return parseSyncPage(await this.query('read_sync_page', (sql) => sql`
      with current as (
        select e.document_id::text as document_id, e.passage_no, e.content_hash, e.passage_hash, e.model, e.embedding::text as embedding, d.metadata,
          ${passageHead(sql, headChars)} as content_head
        from public.document_embeddings as e
        join public.source_documents as d on d.id = e.document_id
        where e.document_id = any(${uuids}::uuid[])
      ),
      held as (
        select s.document_id, s.passage_no, s.content_hash, s.vector_hash
        from vector_sync.index_state as s
        where s.index_name = ${indexName} and s.document_id = any(${[...ids]}::text[])
      )
      select t.id as document_id, coalesce(c.passage_no, h.passage_no) as passage_no, c.content_hash, c.passage_hash, c.model, c.embedding, c.metadata, c.content_head,
        h.content_hash as held_hash, h.vector_hash as held_vector_hash
      from unnest(${[...ids]}::text[]) with ordinality as t(id, ord)
      left join (current as c full join held as h on h.document_id = c.document_id and h.passage_no = c.passage_no)
        on coalesce(c.document_id, h.document_id) = t.id
      order by t.ord, 2`));
  }

  /**
   * One page of a key range: the passages of documents with `after < id <= through` (null = open
   * end), in id then passage order, about `limit` rows and never a document cut in two (a document
   * of more passages is a page of its own). The caller passes the last id it saw as the next `after`.
   */
  async embeddingPage(input: EmbeddingPageInput): Promise<EmbeddingRow[]> {
    const { after, through, limit } = input;
    const read = (where: (sql: Sql) => ReturnType<Sql>, rows: number | null) => this.query('read_embedding_page', (sql) => sql`
      select e.document_id::text as document_id, e.passage_no, e.content_hash, e.passage_hash, e.model,
        ${input.withVectors ? sql`e.embedding::text` : sql`'[]'`} as embedding,
        d.metadata,
        ${input.headChars > 0 ? passageHead(sql, input.headChars) : sql`null`} as content_head
      from public.document_embeddings as e
      join public.source_documents as d on d.id = e.document_id
      where ${where(sql)}
      order by e.document_id, e.passage_no
      ${rows === null ? sql`` : sql`limit ${rows}`}`);
    // One row more than the page tells whether its last document goes on past it.
    const rows = parseEmbeddingRows(await read((sql) => sql`(${after}::uuid is null or e.document_id > ${after}::uuid) and (${through}::uuid is null or e.document_id <= ${through}::uuid)`, limit + 1));
    if (rows.length <= limit) return rows;
    const last = rows[limit - 1]?.document_id;
    if (rows[limit]?.document_id !== last) return rows.slice(0, limit);
    // The page would end inside its last document: that one is read whole, on the next page or alone.
    const kept = rows.slice(0, limit).filter((row) => row.document_id !== last);
    if (kept.length > 0) return kept;
    return parseEmbeddingRows(await read((sql) => sql`e.document_id = ${last ?? null}::uuid`, null));
  }

  /** Which of these vector keys name a current passage; a key whose document is not a uuid never does. */
  async existingVectorKeys(keys: readonly string[]): Promise<Set<string>> {
    const parsed = keys.map(parseVectorKey).filter((key) => isUuid(key.documentId));
    if (parsed.length === 0) return new Set();
    const rows = await this.query('existing_vector_keys', (sql) => sql`
      select e.document_id::text as document_id, e.passage_no
      from public.document_embeddings as e
      join unnest(${parsed.map((key) => key.documentId)}::uuid[], ${parsed.map((key) => key.passageNo)}::int[]) as k(id, no)
        on e.document_id = k.id and e.passage_no = k.no`);
    return new Set(rows.map((row) => vectorKey(String(row.document_id), Number(row.passage_no))));
  }

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

  /** What one write call did, in one statement: index_state of the index written, and the outcomes it settles. */
  async recordWrite(record: WriteRecord): Promise<void> {
    const { indexName, ids, passageNos, hashes, vectorHashes, outcomes } = record;
    const state = indexName === undefined || ids.length === 0 ? undefined : (sql: Sql) =>
      hashes === undefined
        ? sql`vector_sync.delete_index_state(${indexName}, ${[...ids]}::text[], ${[...passageNos]}::int[])`
        : sql`vector_sync.upsert_index_state(${indexName}, ${[...ids]}::text[], ${[...hashes]}::text[], ${vectorHashes === undefined ? null : [...vectorHashes]}::text[], ${[...passageNos]}::int[])`;
    if (state === undefined && outcomes.length === 0) return;
    await this.query('record_write', (sql) => {
      if (state === undefined) return sql`select ${outcomesCall(sql, record.runId, record.chunkNo, outcomes)} as recorded`;
      if (outcomes.length === 0) return sql`select ${state(sql)} as held`;
      return sql`select ${state(sql)} as held, ${outcomesCall(sql, record.runId, record.chunkNo, outcomes)} as recorded`;
    });
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

  // --- search and search quality ---

  /** The model most embeddings were made with (a search embeds its texts with the same); undefined for an empty sidecar. */
  async embeddingModel(): Promise<{ model: string; models: number } | undefined> {
    const rows = await this.query('embedding_model', (sql) => sql`
      select m.model, (select count(distinct e.model) from public.document_embeddings as e) as models
      from (select e.model, count(*) as n from public.document_embeddings as e group by e.model order by n desc, e.model limit 1) as m`);
    const row = rows[0];
    return row ? { model: String(row.model), models: Number(row.models) } : undefined;
  }

  /** The start of each document's content (uuids only), enough to make a snippet of `chars`. */
  async contentStarts(ids: readonly string[], chars: number): Promise<Map<string, string>> {
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0) return new Map();
    const rows = await this.query('content_starts', (sql) => sql`select d.id::text as id, left(d.content, ${chars}) as head from public.source_documents as d where d.id = any(${uuids}::uuid[])`);
    return new Map(rows.map((row) => [String(row.id), String(row.head)]));
  }

  /** The sidecar's first and last document id (index probes at both ends); undefined when it is empty. */
  async embeddingIdBounds(): Promise<{ first: string; last: string } | undefined> {
    const rows = await this.query('embedding_id_bounds', (sql) => sql`
      select (select e.document_id::text from public.document_embeddings as e order by e.document_id limit 1) as first,
             (select e.document_id::text from public.document_embeddings as e order by e.document_id desc limit 1) as last`);
    const row = rows[0];
    return row?.first && row.last ? { first: String(row.first), last: String(row.last) } : undefined;
  }

  /**
   * Embeddings spread over the whole sidecar: for each point (a uuid between its first and last id), the first
   * row at or after it, found through the primary key. Costs one index probe per point, whatever
   * the table's size. Each row once.
   */
  async embeddingsAtPoints(points: readonly string[]): Promise<{ documentId: string; embedding: string }[]> {
    if (points.length === 0) return [];
    const rows = await this.query('sample_embeddings', (sql) => sql`
      select distinct on (s.document_id) s.document_id::text as document_id, s.embedding::text as embedding
      from unnest(${[...points]}::uuid[]) as p(id)
      cross join lateral (
        select e.document_id, e.embedding from public.document_embeddings as e
        where e.document_id >= p.id order by e.document_id, e.passage_no limit 1
      ) as s
      order by s.document_id`);
    return rows.map((row) => ({ documentId: String(row.document_id), embedding: String(row.embedding) }));
  }

  /**
   * The exact top k of a vector over the sidecar's passages (answered as vector keys): a full scan, since the order is by an expression
   * no HNSW index serves (`+ 0`), with the index's metric (cosine `<=>`, euclidean `<->`). Ties are
   * broken by id so the answer is stable. Embeddings whose vector OSS Vectors refused (since the
   * document or its embedding last changed) are left out: the index cannot hold them, so they are
   * not a search miss.
   */
  async exactNeighbours(vectorText: string, k: number, metric: IndexRow['metric']): Promise<{ documentId: string; distance: number }[]> {
    const rows = await this.query('exact_neighbours', (sql) => {
      const distance = metric === 'cosine' ? sql`(e.embedding operator(extensions.<=>) ${vectorText}::extensions.vector)` : sql`(e.embedding operator(extensions.<->) ${vectorText}::extensions.vector)`;
      return sql`
        select case when e.passage_no = 0 then e.document_id::text else e.document_id::text || '#' || e.passage_no end as document_id, ${distance} + 0 as distance
        from public.document_embeddings as e
        join public.source_documents as d on d.id = e.document_id
        where not exists (
          -- Refused since the document or its embedding last changed, as knownRejections reads it.
          select 1 from vector_sync.rejections as r where r.document_id = e.document_id::text and r.rejected_at >= greatest(e.updated_at, d.updated_at)
        )
        order by ${distance} + 0, e.document_id, e.passage_no
        limit ${k}`;
    });
    return rows.map((row) => ({ documentId: String(row.document_id), distance: Number(row.distance) }));
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
