// The worker's view of the database: the ledger moves every handler makes, plus the reads and
// writes only the worker does (the current embedding rows, what each index holds, rejections,
// run items, generations, re-enqueueing drift). Every statement goes through the ledger's helpers.
import * as z from 'zod';
import type { ValidationReason } from '../shared/clients/oss-vectors';
import { isUuid } from '../shared/contracts';
import { PermanentError } from '../shared/errors';
import { IndexRowSchema, Ledger } from '../shared/ledger';
import type { IndexRow } from '../shared/ledger';

/** The outcome of one document in a run, as `run_items` records it. */
export type ItemOutcome = 'upserted' | 'deleted' | 'skipped' | 'rejected' | 'failed';

/** A row read from Postgres does not have the shape the worker expects (a migration and the code disagree). */
export class EmbeddingRowError extends PermanentError {}

// pgvector prints a vector as `[0.1,-2,3e-05]`, which is JSON.
const VectorTextSchema = z.string().transform((text, ctx) => {
  try {
    const parsed = z.array(z.number()).safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'embedding is not a pgvector array of numbers' });
  return z.NEVER;
});

/** A row of `document_embeddings` joined to its document's metadata, as the worker reads it. */
/** One row of the sidecar as the worker reads it (the vector from its text, the metadata as parsed). */
export const EmbeddingRowSchema = z.object({
  document_id: z.string(),
  content_hash: z.string(),
  embedding: VectorTextSchema,
  // Kept as parsed, not rebuilt by z.record: rebuilding assigns keys one by one, and a key named
  // `__proto__` would then be dropped (or become the prototype) instead of staying data.
  metadata: z
    .custom<Readonly<Record<string, unknown>>>((value) => typeof value === 'object' && !Array.isArray(value), { message: 'metadata must be a JSON object or null' })
    .nullable()
    .transform((value): Readonly<Record<string, unknown>> => value ?? {}),
});
export type EmbeddingRow = z.output<typeof EmbeddingRowSchema>;

/** One keyset page of a key range: rows with `after < id <= through` (null = open end), in id order. */
export interface EmbeddingPageInput {
  readonly after: string | null;
  readonly through: string | null;
  readonly limit: number;
  /** Read the vector and metadata too (verify needs only ids and hashes). */
  readonly withVectors: boolean;
}

/** Checks rows from Postgres; a bad row fails the page with the document id in the message. */
function parseEmbeddingRows(rows: readonly Record<string, unknown>[]): EmbeddingRow[] {
  return rows.map((row) => {
    const parsed = EmbeddingRowSchema.safeParse(row);
    if (!parsed.success) throw new EmbeddingRowError(`embedding row ${String(row.document_id)} is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'}`, { cause: parsed.error, details: { documentId: String(row.document_id) } });
    return parsed.data;
  });
}

/** The ledger as the worker uses it: the functions' moves plus the worker's own queries. */
export class WorkerLedger extends Ledger {
  // --- the source rows ---

  /** The current embedding rows of these document ids (uuids only; unknown ids are left out). */
  async embeddingsByIds(ids: readonly string[]): Promise<EmbeddingRow[]> {
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0) return [];
    return parseEmbeddingRows(await this.query('read_embeddings', (sql) => sql`
      select e.document_id::text as document_id, e.content_hash, e.embedding::text as embedding, d.metadata
      from public.document_embeddings as e
      join public.source_documents as d on d.id = e.document_id
      where e.document_id = any(${uuids}::uuid[])
      order by e.document_id`));
  }

  /** One page of a key range; the caller passes the last id it saw as the next `after`. */
  async embeddingPage(input: EmbeddingPageInput): Promise<EmbeddingRow[]> {
    const { after, through, limit } = input;
    return parseEmbeddingRows(await this.query('read_embedding_page', (sql) => sql`
      select e.document_id::text as document_id, e.content_hash,
        ${input.withVectors ? sql`e.embedding::text` : sql`'[]'`} as embedding,
        ${input.withVectors ? sql`d.metadata` : sql`'{}'::jsonb`} as metadata
      from public.document_embeddings as e
      join public.source_documents as d on d.id = e.document_id
      where (${after}::uuid is null or e.document_id > ${after}::uuid)
        and (${through}::uuid is null or e.document_id <= ${through}::uuid)
      order by e.document_id
      limit ${limit}`));
  }

  /** Which of these keys have an embedding row; a key that is not a uuid never has one. */
  async existingDocumentIds(keys: readonly string[]): Promise<Set<string>> {
    const uuids = keys.filter(isUuid);
    if (uuids.length === 0) return new Set();
    const rows = await this.query('existing_document_ids', (sql) => sql`select document_id::text as document_id from public.document_embeddings where document_id = any(${uuids}::uuid[])`);
    return new Set(rows.map((row) => String(row.document_id)));
  }

  /** Embeddings the generation lacks, but the ones refused during this run (the end of a rebuild). */
  missingFrom(indexName: string, runId: string): Promise<number> {
    return this.count('missing_from_generation', (sql) => sql`
      select count(*) as n from public.document_embeddings as e
      where not exists (select 1 from vector_sync.index_state as s where s.index_name = ${indexName} and s.document_id = e.document_id::text)
        and not exists (select 1 from vector_sync.rejections as r where r.run_id = ${runId} and r.document_id = e.document_id::text)`);
  }

  // --- what each index holds ---

  /** Generations of a logical index in one state, oldest first. */
  generations(logicalName: string, state: IndexRow['state']): Promise<IndexRow[]> {
    return this.many('generations', IndexRowSchema, (sql) => sql`select * from vector_sync.indexes where logical_name = ${logicalName} and state = ${state} order by created_at, index_name`);
  }

  /**
   * Generations of a logical index being built by a rebuild that is still open. A generation left
   * 'building' by a rebuild that failed (or was never opened) is not one: writing into it would
   * only feed an index that will never be activated.
   */
  liveBuildingGenerations(logicalName: string): Promise<IndexRow[]> {
    return this.many('live_building_generations', IndexRowSchema, (sql) => sql`
      select i.* from vector_sync.indexes as i
      where i.logical_name = ${logicalName} and i.state = 'building'
        and exists (select 1 from vector_sync.runs as r where r.index_name = i.index_name and r.op = 'rebuild' and r.state not in ('completed', 'failed'))
      order by i.created_at, i.index_name`);
  }

  /** The content hash index_state holds for each of the ids that it knows. */
  async hashes(indexName: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.query('index_state', (sql) => sql`select document_id, content_hash from vector_sync.index_state where index_name = ${indexName} and document_id = any(${[...ids]}::text[])`);
    return new Map(rows.map((row) => [String(row.document_id), String(row.content_hash)]));
  }

  async upsertIndexState(indexName: string, ids: readonly string[], hashes: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.query('upsert_index_state', (sql) => sql`select vector_sync.upsert_index_state(${indexName}, ${[...ids]}::text[], ${[...hashes]}::text[])`);
  }

  /** Forgets ids in index_state; answers how many rows it had. */
  async deleteIndexState(indexName: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.count('delete_index_state', (sql) => sql`select vector_sync.delete_index_state(${indexName}, ${[...ids]}::text[]) as n`);
  }

  async markIndexDropped(indexName: string): Promise<void> {
    await this.query('mark_index_dropped', (sql) => sql`select 1 from vector_sync.mark_index_dropped(${indexName})`);
  }

  // --- the run's items and rejections ---

  async recordItems(runId: string, ids: readonly string[], op: 'upsert' | 'delete', outcome: ItemOutcome): Promise<void> {
    if (ids.length === 0) return;
    await this.query('record_items', (sql) => sql`select vector_sync.record_items(${runId}, ${[...ids]}::text[], ${op}, ${outcome})`);
  }

  async recordRejection(input: { runId: string; chunkNo: number; documentId: string; reason: ValidationReason; detail: string }): Promise<void> {
    const detail = input.detail.slice(0, 500);
    await this.query('record_rejection', (sql) => sql`select 1 from vector_sync.record_rejection(${input.runId}, ${input.chunkNo}, ${input.documentId}, ${input.reason}, ${detail})`);
  }

  /** Of these ids, the ones whose vector was refused after their embedding last changed. */
  async knownRejections(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.query('known_rejections', (sql) => sql`
      select distinct r.document_id from vector_sync.rejections as r
      join public.document_embeddings as e on e.document_id::text = r.document_id
      where r.document_id = any(${[...ids]}::text[]) and r.rejected_at >= e.updated_at`);
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
      where c.state = 'running' and r.op in ('sync', 'rebuild') and i.logical_name = ${logicalName}`);
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
