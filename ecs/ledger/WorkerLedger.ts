import type { Sql } from 'postgres';
import * as z from 'zod';
import { IndexRowSchema, LedgerShapeError } from '../../shared/ledger';
import type { IndexRow } from '../../shared/ledger';
import type { ValidationReason } from '../../shared/clients/oss-vectors';
import { runQuery } from './runQuery';

/** The outcome of one document in a run, as `run_items` records it. */
export type ItemOutcome = 'upserted' | 'deleted' | 'skipped' | 'rejected' | 'failed';

const HashRowSchema = z.object({ document_id: z.string(), content_hash: z.string() });
const CountSchema = z.union([z.number(), z.string()]).transform(Number);

function parseRows<S extends z.ZodType>(operation: string, schema: S, rows: readonly unknown[]): z.output<S>[] {
  return rows.map((row) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) throw new LedgerShapeError(`${operation} returned an unexpected row: ${parsed.error.message}`, { cause: parsed.error });
    return parsed.data;
  });
}

/**
 * The ledger calls only the worker makes (items, rejections, index_state, generations), each a
 * thin wrapper around one SQL function or one keyed query of the ledger migration.
 */
export class WorkerLedger {
  constructor(private readonly sql: Sql) {}

  async index(indexName: string): Promise<IndexRow | undefined> {
    const rows = await runQuery(this.sql, 'index', (sql) => sql`select * from vector_sync.indexes where index_name = ${indexName}`);
    return parseRows('index', IndexRowSchema, rows)[0];
  }

  /** Generations of a logical index in one state, oldest first. */
  async generations(logicalName: string, state: IndexRow['state']): Promise<IndexRow[]> {
    const rows = await runQuery(this.sql, 'generations', (sql) => sql`select * from vector_sync.indexes where logical_name = ${logicalName} and state = ${state} order by created_at, index_name`);
    return parseRows('generations', IndexRowSchema, rows);
  }

  /** The content hash index_state holds for each of the ids that it knows. */
  async hashes(indexName: string, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await runQuery(this.sql, 'index_state', (sql) => sql`select document_id, content_hash from vector_sync.index_state where index_name = ${indexName} and document_id = any(${[...ids]}::text[])`);
    return new Map(parseRows('index_state', HashRowSchema, rows).map((row) => [row.document_id, row.content_hash]));
  }

  async recordItems(runId: string, ids: readonly string[], op: 'upsert' | 'delete', outcome: ItemOutcome): Promise<void> {
    if (ids.length === 0) return;
    await runQuery(this.sql, 'record_items', (sql) => sql`select vector_sync.record_items(${runId}, ${[...ids]}::text[], ${op}, ${outcome})`);
  }

  async recordRejection(input: { runId: string; chunkNo: number; documentId: string; reason: ValidationReason; detail: string }): Promise<void> {
    const detail = input.detail.slice(0, 500);
    await runQuery(this.sql, 'record_rejection', (sql) => sql`select 1 from vector_sync.record_rejection(${input.runId}, ${input.chunkNo}, ${input.documentId}, ${input.reason}, ${detail})`);
  }

  async upsertIndexState(indexName: string, ids: readonly string[], hashes: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await runQuery(this.sql, 'upsert_index_state', (sql) => sql`select vector_sync.upsert_index_state(${indexName}, ${[...ids]}::text[], ${[...hashes]}::text[])`);
  }

  /** Forgets ids in index_state; answers how many rows it had. */
  async deleteIndexState(indexName: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await runQuery(this.sql, 'delete_index_state', (sql) => sql`select vector_sync.delete_index_state(${indexName}, ${[...ids]}::text[]) as removed`);
    return CountSchema.parse(rows[0]?.removed ?? 0);
  }

  async markIndexDropped(indexName: string): Promise<void> {
    await runQuery(this.sql, 'mark_index_dropped', (sql) => sql`select 1 from vector_sync.mark_index_dropped(${indexName})`);
  }

  /** Vectors index_state counts for an index (the report's TotalVectors). */
  async indexStats(indexName: string): Promise<{ totalVectors: number; lastSyncedAt: Date | null }> {
    const rows = await runQuery(this.sql, 'index_stats', (sql) => sql`select total_vectors, last_synced_at from vector_sync.index_stats(${indexName})`);
    const row = z.object({ total_vectors: CountSchema, last_synced_at: z.date().nullable() }).parse(rows[0] ?? { total_vectors: 0, last_synced_at: null });
    return { totalVectors: row.total_vectors, lastSyncedAt: row.last_synced_at };
  }

  /** True when every chunk of the run (but `exceptChunkNo`) has succeeded. */
  async chunksSucceeded(runId: string, exceptChunkNo?: number): Promise<boolean> {
    const except = exceptChunkNo ?? -1;
    const rows = await runQuery(this.sql, 'chunks_succeeded', (sql) => sql`
      select count(*) filter (where c.state <> 'succeeded' and c.chunk_no <> ${except}) as open, r.chunk_count
      from vector_sync.runs as r left join vector_sync.chunks as c on c.run_id = r.run_id
      where r.run_id = ${runId} group by r.chunk_count`);
    const row = z.object({ open: CountSchema, chunk_count: z.number().nullable() }).optional().parse(rows[0]);
    return row !== undefined && row.chunk_count !== null && row.open === 0;
  }

  /** Rejections recorded for a run. */
  async rejectionCount(runId: string): Promise<number> {
    const rows = await runQuery(this.sql, 'rejection_count', (sql) => sql`select count(*) as n from vector_sync.rejections where run_id = ${runId}`);
    return CountSchema.parse(rows[0]?.n ?? 0);
  }

  /** Puts ids back on the `vector_sync` queue (unless one waits already) so the pipeline syncs them. */
  async enqueueSync(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await runQuery(this.sql, 'send_unless_waiting', (sql) => sql`select vector_sync.send_unless_waiting('vector_sync', ${[...ids]}::text[]) as sent`);
    return CountSchema.parse(rows[0]?.sent ?? 0);
  }
}
