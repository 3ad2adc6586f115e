// The worker's reads of the source rows: the sidecar's passages with their documents (a sync page
// with what an index holds of it, key-range pages that never cut a document, the keys that exist)
// and the reads of search and search quality (the model, content starts, sample points, the exact
// neighbours of a vector). Every row is parsed with zod where it is read (embeddingRows.ts).
import type { Sql } from 'postgres';
import { isUuid, parseVectorKey, vectorKey } from '../../shared/contracts';
import { Ledger } from '../../shared/ledger';
import type { IndexRow } from '../../shared/ledger';
import { parseEmbeddingRow, parseSyncPage } from '../embeddingRows';
import type { EmbeddingRow, SyncPage } from '../embeddingRows';

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

/**
 * The version of a passage's rows (`e` and its document `d`) as read: the later of their
 * updated_at, as text so no precision is lost. A write is recorded against it (record_index_writes).
 */
function rowVersion(sql: Sql) {
  return sql`greatest(d.updated_at, e.updated_at)::text`;
}

/** Checks rows from Postgres; a bad row fails the page with the document id in the message. */
function parseEmbeddingRows(rows: readonly Record<string, unknown>[]): EmbeddingRow[] {
  return rows.map(parseEmbeddingRow);
}

/** The source rows as the worker reads them; WorkerLedger adds the ledger's moves. */
export class SourceLedger extends Ledger {
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
    if (ids.length === 0) return { rows: [], gone: [], held: new Map(), heldVectors: new Map(), surplus: [], readAt: null };
    const uuids = ids.filter(isUuid);
    return parseSyncPage(await this.query('read_sync_page', (sql) => sql`
      with current as (
        select e.document_id::text as document_id, e.passage_no, e.content_hash, e.passage_hash, e.model, e.embedding::text as embedding, d.metadata,
          ${passageHead(sql, headChars)} as content_head, ${rowVersion(sql)} as version
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
        c.version, statement_timestamp()::text as read_at, h.content_hash as held_hash, h.vector_hash as held_vector_hash
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
        ${input.headChars > 0 ? passageHead(sql, input.headChars) : sql`null`} as content_head,
        ${rowVersion(sql)} as version, statement_timestamp()::text as read_at
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
}
