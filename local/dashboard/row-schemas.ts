import * as z from 'zod';
import { ChunkRowSchema, IndexRowSchema } from '../../shared/ledger';

// postgres.js hands bigint and numeric as strings and timestamptz as a Date.
const count = z.union([z.number(), z.string()]).transform((value) => Number(value));
const time = z.date().nullable();

/** A row of the view `vector_sync.run_history` (the columns the dashboard shows). */
export const RunHistoryRowSchema = z.object({
  run_id: z.string(),
  op: z.string(),
  index_name: z.string(),
  logical_name: z.string(),
  state: z.string(),
  requested_by: z.string().nullable(),
  chunk_count: z.number().nullable(),
  chunks_succeeded: count,
  chunks_failed: count,
  ids_total: count,
  upserted: count,
  deleted: count,
  skipped: count,
  rejected: count,
  failed: count,
  error: z.string().nullable(),
  accepted_at: z.date(),
  finished_at: time,
  duration_seconds: count.nullable(),
  report_sent: z.boolean(),
  report_message_id: z.string().nullable(),
});
export type RunHistoryRow = z.infer<typeof RunHistoryRowSchema>;

/** The chunk columns the dashboard shows (the selector, which can hold thousands of ids, is left out). */
export const ChunkPanelRowSchema = ChunkRowSchema.pick({ chunk_no: true, state: true, attempts: true, instance_id: true, command_id: true, result: true, error: true, dispatched_at: true, finished_at: true });
export type ChunkPanelRow = z.infer<typeof ChunkPanelRowSchema>;

/** A row of the view `vector_sync.queue_depth`. */
export const QueueDepthRowSchema = z.object({ queue: z.string(), depth: count, visible: count, oldest_age_seconds: count.nullable() });
export type QueueDepthRow = z.infer<typeof QueueDepthRowSchema>;

/** A row of the view `vector_sync.dead_letter_counts`. */
export const DeadLetterCountRowSchema = z.object({ queue: z.string(), archived: count, parked: count });
export type DeadLetterCountRow = z.infer<typeof DeadLetterCountRowSchema>;

/** A row of `vector_sync.dead_letters`. */
export const DeadLetterRowSchema = z.object({
  id: count,
  queue: z.string(),
  msg_id: count,
  document_id: z.string().nullable(),
  read_ct: z.number(),
  step: z.string(),
  error: z.string(),
  failed_at: z.date(),
});
export type DeadLetterRow = z.infer<typeof DeadLetterRowSchema>;

/** A row of `vector_sync.indexes` joined with `vector_sync.index_stats`. */
export const IndexStatsRowSchema = IndexRowSchema.extend({ created_at: z.date(), activated_at: time, total_vectors: count, last_synced_at: time });
export type IndexStatsRow = z.infer<typeof IndexStatsRowSchema>;
