import type * as z from 'zod';
import type { Sql } from 'postgres';
import { LedgerShapeError } from './errors';
import { ChunkRowSchema, IndexRowSchema, RunRowSchema } from './row-schemas';
import type { ChunkRow, IndexRow, RunRow } from './row-schemas';
import { toLedgerError } from './toLedgerError';

/** What a finished chunk reports. */
export interface ChunkResult {
  readonly upserted: number;
  readonly deleted: number;
  readonly skipped: number;
  readonly rejected: number;
  readonly failed: number;
  readonly [key: string]: unknown;
}

/**
 * The run ledger (`vector_sync`) as the handlers and the worker use it: each method is one guarded
 * SQL function, so a repeated call is harmless and an impossible move is a LedgerRefusedError.
 */
export class Ledger {
  constructor(private readonly sql: Sql) {}

  openRun(input: { sourceEventId: string; op: RunRow['op']; indexName: string; ids?: readonly string[]; requestedBy?: string }): Promise<RunRow> {
    return this.one('open_run', RunRowSchema, (sql) => sql`select * from vector_sync.open_run(${input.sourceEventId}, ${input.op}, ${input.indexName}, ${input.ids === undefined ? null : [...input.ids]}::text[], ${input.requestedBy ?? null})`);
  }

  run(runId: string): Promise<RunRow | undefined> {
    return this.maybe('run', RunRowSchema, (sql) => sql`select * from vector_sync.runs where run_id = ${runId}`);
  }

  failRun(runId: string, error: string): Promise<RunRow> {
    return this.one('fail_run', RunRowSchema, (sql) => sql`select * from vector_sync.fail_run(${runId}, ${error})`);
  }

  addChunk(runId: string, chunkNo: number, selector: Readonly<Record<string, unknown>>): Promise<ChunkRow> {
    return this.one('add_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.add_chunk(${runId}, ${chunkNo}, ${sql.json(selector as Record<string, never>)})`);
  }

  markRunChunked(runId: string, chunkCount: number): Promise<RunRow> {
    return this.one('mark_run_chunked', RunRowSchema, (sql) => sql`select * from vector_sync.mark_run_chunked(${runId}, ${chunkCount})`);
  }

  chunk(runId: string, chunkNo: number): Promise<ChunkRow | undefined> {
    return this.maybe('chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunks where run_id = ${runId} and chunk_no = ${chunkNo}`);
  }

  /** Every chunk of a run, in order. */
  chunks(runId: string): Promise<ChunkRow[]> {
    return this.many('chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunks where run_id = ${runId} order by chunk_no`);
  }

  markChunkDispatched(input: { runId: string; chunkNo: number; commandId: string; invokeId: string; instanceId: string }): Promise<ChunkRow> {
    return this.one('mark_chunk_dispatched', ChunkRowSchema, (sql) => sql`select * from vector_sync.mark_chunk_dispatched(${input.runId}, ${input.chunkNo}, ${input.commandId}, ${input.invokeId}, ${input.instanceId})`);
  }

  markChunkRunning(runId: string, chunkNo: number, commandId?: string): Promise<ChunkRow> {
    return this.one('mark_chunk_running', ChunkRowSchema, (sql) => sql`select * from vector_sync.mark_chunk_running(${runId}, ${chunkNo}, ${commandId ?? null})`);
  }

  finishChunk(input: { runId: string; chunkNo: number; succeeded: boolean; result: ChunkResult; error?: string; commandId?: string }): Promise<ChunkRow> {
    return this.one('finish_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.finish_chunk(${input.runId}, ${input.chunkNo}, ${input.succeeded}, ${sql.json(input.result as unknown as Record<string, never>)}, ${input.error ?? null}, ${input.commandId ?? null})`);
  }

  requeueChunk(runId: string, chunkNo: number, reason: string, maxAttempts: number): Promise<ChunkRow> {
    return this.one('requeue_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.requeue_chunk(${runId}, ${chunkNo}, ${reason}, ${maxAttempts})`);
  }

  /** Chunks dispatched or running for longer than `olderThanSeconds`, oldest first. */
  silentChunks(olderThanSeconds: number, limit = 100): Promise<ChunkRow[]> {
    return this.many('silent_chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.silent_chunks(make_interval(secs => ${olderThanSeconds}), ${limit})`);
  }

  chunkForCommand(commandId: string): Promise<ChunkRow | undefined> {
    return this.maybe('chunk_for_command', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunk_for_command(${commandId}) where run_id is not null`);
  }

  completeRun(runId: string): Promise<RunRow> {
    return this.one('complete_run', RunRowSchema, (sql) => sql`select * from vector_sync.complete_run(${runId})`);
  }

  /** True the first time only: the caller that gets true is the one that sent the report. */
  async markReportSent(runId: string, messageId: string): Promise<boolean> {
    const rows = await this.query('mark_report_sent', (sql) => sql`select vector_sync.mark_report_sent(${runId}, ${messageId}) as moved`);
    return rows[0]?.moved === true;
  }

  registerIndex(input: { indexName: string; logicalName: string; bucket: string; dimension: number; metric: IndexRow['metric'] }): Promise<IndexRow> {
    return this.one('register_index', IndexRowSchema, (sql) => sql`select * from vector_sync.register_index(${input.indexName}, ${input.logicalName}, ${input.bucket}, ${input.dimension}, ${input.metric})`);
  }

  activateIndex(indexName: string): Promise<IndexRow> {
    return this.one('activate_index', IndexRowSchema, (sql) => sql`select * from vector_sync.activate_index(${indexName})`);
  }

  /** The active generation of a logical index, if any. */
  activeIndex(logicalName: string): Promise<IndexRow | undefined> {
    return this.maybe('active_index', IndexRowSchema, (sql) => sql`select * from vector_sync.active_index(${logicalName}) where index_name is not null`);
  }

  private async query(operation: string, run: (sql: Sql) => Promise<readonly Record<string, unknown>[]>): Promise<readonly Record<string, unknown>[]> {
    try {
      return await run(this.sql);
    } catch (error) {
      throw toLedgerError(operation, error);
    }
  }

  private async many<S extends z.ZodType>(operation: string, schema: S, run: (sql: Sql) => Promise<readonly Record<string, unknown>[]>): Promise<z.output<S>[]> {
    const rows = await this.query(operation, run);
    return rows.map((row) => {
      const parsed = schema.safeParse(row);
      if (!parsed.success) throw new LedgerShapeError(`${operation} returned an unexpected row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, { cause: parsed.error });
      return parsed.data;
    });
  }

  private async maybe<S extends z.ZodType>(operation: string, schema: S, run: (sql: Sql) => Promise<readonly Record<string, unknown>[]>): Promise<z.output<S> | undefined> {
    return (await this.many(operation, schema, run))[0];
  }

  private async one<S extends z.ZodType>(operation: string, schema: S, run: (sql: Sql) => Promise<readonly Record<string, unknown>[]>): Promise<z.output<S>> {
    const row = await this.maybe(operation, schema, run);
    if (row === undefined) throw new LedgerShapeError(`${operation} returned no row`);
    return row;
  }
}
