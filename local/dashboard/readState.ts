import type { Sql } from 'postgres';
import type { Outbox } from '../resend';
import { DashboardDefaults } from './constants';
import { queryPanel } from './queryPanel';
import { readEmails } from './readEmails';
import { readExtra } from './readExtra';
import { ChunkPanelRowSchema, DeadLetterCountRowSchema, DeadLetterRowSchema, IndexStatsRowSchema, QueueDepthRowSchema, RunHistoryRowSchema } from './row-schemas';
import type { DashboardState, ExtraPanels } from './types';

/** Where the dashboard reads from. */
export interface StateSources {
  readonly sql: Sql;
  readonly outbox: Outbox;
  readonly extra?: ExtraPanels;
}

/**
 * Reads every panel: small, bounded, read-only queries, one after the other (PGlite serialises
 * them anyway) and outside any transaction. `runId` picks the run whose chunks are shown.
 */
export async function readState(sources: StateSources, runId?: string): Promise<DashboardState> {
  const { sql } = sources;
  const { limits } = DashboardDefaults;
  const runs = await queryPanel(RunHistoryRowSchema, () => sql`
    select run_id, op, index_name, logical_name, state, requested_by, chunk_count, chunks_succeeded, chunks_failed,
      ids_total, upserted, deleted, skipped, rejected, failed, error, accepted_at, finished_at, duration_seconds,
      report_sent, report_message_id
    from vector_sync.run_history limit ${limits.runs}`);
  const selectedRunId = runId ?? (runs.ok ? runs.rows[0]?.run_id ?? null : null);
  const chunks = selectedRunId === null
    ? { ok: true as const, rows: [] }
    : await queryPanel(ChunkPanelRowSchema, () => sql`
      select chunk_no, state, attempts, instance_id, command_id, result, error, dispatched_at, finished_at
      from vector_sync.chunks where run_id = ${selectedRunId} order by chunk_no limit ${limits.chunks}`);
  const queues = await queryPanel(QueueDepthRowSchema, () => sql`select queue, depth, visible, oldest_age_seconds from vector_sync.queue_depth order by queue limit 10`);
  const deadLetterCounts = await queryPanel(DeadLetterCountRowSchema, () => sql`select queue, archived, parked from vector_sync.dead_letter_counts order by queue limit 10`);
  const deadLetters = await queryPanel(DeadLetterRowSchema, () => sql`
    select id, queue, msg_id, document_id, read_ct, step, error, failed_at
    from vector_sync.dead_letters order by failed_at desc, id desc limit ${limits.deadLetters}`);
  const indexes = await queryPanel(IndexStatsRowSchema, () => sql`
    select i.index_name, i.logical_name, i.bucket, i.dimension, i.metric, i.state, i.created_at, i.activated_at,
      s.total_vectors, s.last_synced_at
    from vector_sync.indexes as i cross join lateral vector_sync.index_stats(i.index_name) as s
    order by (i.state = 'active') desc, i.created_at desc limit ${limits.indexes}`);
  const emails = await readEmails(sources.outbox);
  const extra = sources.extra === undefined ? null : await readExtra(sources.extra);
  return { generatedAt: new Date().toISOString(), selectedRunId, runs, chunks, queues, deadLetterCounts, deadLetters, indexes, emails, extra };
}
