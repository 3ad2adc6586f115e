import type * as z from 'zod';
import type { Sql } from 'postgres';
import { ChunkRowSchema, LedgerShapeError, RunRowSchema, toLedgerError } from '../../ledger';
import type { ChunkRow, RunRow } from '../../ledger';

/**
 * The ledger functions that recover lost work (guarded requeue of an attempt, stale ready chunks)
 * and publish each run's completion exactly once (claim, confirm, release, reclaim). Each call is
 * one statement: nothing is held open across the network calls between them.
 */
export class RecoveryLedger {
  constructor(private readonly sql: Sql) {}

  /** requeue_chunk, only while `commandId` is still the chunk's current attempt. */
  async requeueAttempt(runId: string, chunkNo: number, commandId: string, reason: string, maxAttempts: number): Promise<ChunkRow> {
    const [row] = await this.rows('requeue_chunk_attempt', ChunkRowSchema, () => this.sql`select * from vector_sync.requeue_chunk_attempt(${runId}, ${chunkNo}, ${commandId}, ${reason}, ${maxAttempts})`);
    if (!row) throw new LedgerShapeError('requeue_chunk_attempt returned no row');
    return row;
  }

  /** Ready chunks of chunked/dispatched runs untouched for `olderThanSeconds`; touched now. */
  touchStaleReady(olderThanSeconds: number, limit: number): Promise<ChunkRow[]> {
    return this.rows('touch_stale_ready_chunks', ChunkRowSchema, () => this.sql`select * from vector_sync.touch_stale_ready_chunks(make_interval(secs => ${olderThanSeconds}), ${limit})`);
  }

  /** True once per final run: the caller publishes its completion. */
  async claimCompletion(runId: string): Promise<boolean> {
    return this.flag('claim_run_completion', () => this.sql`select vector_sync.claim_run_completion(${runId}) as flag`);
  }

  /** Takes over a claim older than `graceSeconds` (its holder died), or an unclaimed completion. */
  async reclaimCompletion(runId: string, graceSeconds: number): Promise<boolean> {
    return this.flag('reclaim_run_completion', () => this.sql`select vector_sync.reclaim_run_completion(${runId}, make_interval(secs => ${graceSeconds})) as flag`);
  }

  async confirmCompletion(runId: string): Promise<void> {
    await this.run('confirm_run_completion', () => this.sql`select vector_sync.confirm_run_completion(${runId})`);
  }

  async releaseCompletion(runId: string): Promise<void> {
    await this.run('release_run_completion', () => this.sql`select vector_sync.release_run_completion(${runId})`);
  }

  /** Final runs whose completion was never published (claims older than `graceSeconds` included). */
  unpublishedCompletions(graceSeconds: number, limit: number): Promise<RunRow[]> {
    return this.rows('unpublished_completions', RunRowSchema, () => this.sql`select * from vector_sync.unpublished_completions(make_interval(secs => ${graceSeconds}), ${limit})`);
  }

  private async run(operation: string, query: () => Promise<readonly Record<string, unknown>[]>): Promise<readonly Record<string, unknown>[]> {
    try {
      return await query();
    } catch (error) {
      throw toLedgerError(operation, error);
    }
  }

  private async flag(operation: string, query: () => Promise<readonly Record<string, unknown>[]>): Promise<boolean> {
    const rows = await this.run(operation, query);
    return rows[0]?.flag === true;
  }

  private async rows<S extends z.ZodType>(operation: string, schema: S, query: () => Promise<readonly Record<string, unknown>[]>): Promise<z.output<S>[]> {
    const rows = await this.run(operation, query);
    return rows.map((row) => {
      const parsed = schema.safeParse(row);
      if (!parsed.success) throw new LedgerShapeError(`${operation} returned an unexpected row: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, { cause: parsed.error });
      return parsed.data;
    });
  }
}
