// The ledger's recovery side: what reconcile looks for when a hand-off was lost (silent chunks,
// stale ready chunks, runs nobody closed, completions never published, generations a failed
// rebuild left building) and each run's completion claim, published exactly once.
import { ReportLedger } from './ReportLedger';
import { ChunkRowSchema, IndexRowSchema, RunRowSchema } from './rows';
import type { ChunkRow, IndexRow, RunRow } from './rows';

/** Silent chunks, lost closes and completions, abandoned generations, and the completion claim. */
export class RecoveryLedger extends ReportLedger {
  // --- chunks and runs a lost hand-off left behind ---

  /** Chunks dispatched or running for longer than `olderThanSeconds`, oldest first. */
  silentChunks(olderThanSeconds: number, limit = 100): Promise<ChunkRow[]> {
    return this.many('silent_chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.silent_chunks(make_interval(secs => ${olderThanSeconds}), ${limit})`);
  }

  /** Ready chunks holding a slot (attempt planned, RunCommand not recorded) untouched for `olderThanSeconds`; touched now. */
  touchStaleReady(olderThanSeconds: number, limit: number): Promise<ChunkRow[]> {
    return this.many('touch_stale_ready_chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.touch_stale_ready_chunks(make_interval(secs => ${olderThanSeconds}), ${limit})`);
  }

  // --- each run's completion, published exactly once (claim, confirm, release, reclaim) ---

  /** True once per final run: the caller publishes its completion. */
  claimCompletion(runId: string): Promise<boolean> {
    return this.flag('claim_run_completion', (sql) => sql`select vector_sync.claim_run_completion(${runId}) as flag`);
  }

  /** Takes over a claim older than `graceSeconds` (its holder died), or an unclaimed completion. */
  reclaimCompletion(runId: string, graceSeconds: number): Promise<boolean> {
    return this.flag('reclaim_run_completion', (sql) => sql`select vector_sync.reclaim_run_completion(${runId}, make_interval(secs => ${graceSeconds})) as flag`);
  }

  async confirmCompletion(runId: string): Promise<void> {
    await this.query('confirm_run_completion', (sql) => sql`select vector_sync.confirm_run_completion(${runId})`);
  }

  async releaseCompletion(runId: string): Promise<void> {
    await this.query('release_run_completion', (sql) => sql`select vector_sync.release_run_completion(${runId})`);
  }

  /** Final runs whose completion was never published (claims older than `graceSeconds` included). */
  unpublishedCompletions(graceSeconds: number, limit: number): Promise<RunRow[]> {
    return this.many('unpublished_completions', RunRowSchema, (sql) => sql`select * from vector_sync.unpublished_completions(make_interval(secs => ${graceSeconds}), ${limit})`);
  }

  /** Open runs whose chunks have all been final (or that have none) for `graceSeconds`: their close was lost. */
  runsReadyToClose(graceSeconds: number, limit: number): Promise<RunRow[]> {
    return this.many('runs_ready_to_close', RunRowSchema, (sql) => sql`select * from vector_sync.runs_ready_to_close(make_interval(secs => ${graceSeconds}), ${limit})`);
  }

  /**
   * Generations left `building` with no rebuild run open on them for `graceSeconds` (their rebuild
   * failed or was refused): moved to `retired`, so that the next rebuild's switch-over deletes their
   * OSS index and marks them dropped. Returns those moved now.
   */
  retireAbandonedGenerations(graceSeconds: number, limit: number): Promise<IndexRow[]> {
    return this.many('retire_abandoned_generations', IndexRowSchema, (sql) => sql`select * from vector_sync.retire_abandoned_generations(make_interval(secs => ${graceSeconds}), ${limit})`);
  }
}
