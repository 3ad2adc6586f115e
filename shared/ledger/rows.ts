import * as z from 'zod';
import { ChunkResultSchema, ChunkSelectorSchema } from '../contracts';

// postgres.js hands bigint as a string and timestamptz as a Date; counts fit a JS number.
const count = z.union([z.number(), z.string()]).transform((value) => Number(value));
const time = z.date().nullable();

/** What happened to a run's report (`vector_sync.runs.report_disposition`). */
export const ReportDisposition = { Sent: 'sent', Digest: 'digest', ArchivedOnly: 'archived-only' } as const;
export type ReportDisposition = (typeof ReportDisposition)[keyof typeof ReportDisposition];

/** A row of `vector_sync.runs`. */
export const RunRowSchema = z.object({
  run_id: z.string(),
  source_event_id: z.string(),
  op: z.enum(['sync', 'rebuild', 'verify', 'search']),
  index_name: z.string(),
  state: z.enum(['accepted', 'chunked', 'dispatched', 'completed', 'failed']),
  /** What the request asked for beyond op and index; parse it with the op's schema (contracts/run-params.ts). */
  params: z.record(z.string(), z.unknown()),
  requested_by: z.string().nullable(),
  chunk_count: z.number().nullable(),
  ids_total: count,
  upserted: count,
  deleted: count,
  skipped: count,
  rejected: count,
  failed: count,
  error: z.string().nullable(),
  accepted_at: z.date(),
  chunked_at: time,
  dispatched_at: time,
  completed_at: time,
  failed_at: time,
  report_sent_at: time,
  /** The change batch of a change-driven sync run; null for manual runs. */
  batch_id: z.string().nullable(),
  report_disposition: z.enum(Object.values(ReportDisposition)).nullable(),
  report_archive_key: z.string().nullable(),
  digest_window_start: time,
});
export type RunRow = z.infer<typeof RunRowSchema>;

/** A row of `vector_sync.chunks`; its selector and result are parsed with their contracts. */
export const ChunkRowSchema = z.object({
  run_id: z.string(),
  chunk_no: z.number(),
  selector: ChunkSelectorSchema,
  state: z.enum(['ready', 'dispatched', 'running', 'succeeded', 'failed']),
  attempts: z.number(),
  command_id: z.string().nullable(),
  invoke_id: z.string().nullable(),
  instance_id: z.string().nullable(),
  result: ChunkResultSchema.nullable(),
  error: z.string().nullable(),
  dispatched_at: time,
  running_at: time,
  finished_at: time,
});
export type ChunkRow = z.infer<typeof ChunkRowSchema>;

/** A row of `vector_sync.indexes`. */
export const IndexRowSchema = z.object({
  index_name: z.string(),
  logical_name: z.string(),
  bucket: z.string(),
  dimension: z.number(),
  metric: z.enum(['cosine', 'euclidean']),
  state: z.enum(['building', 'active', 'retired', 'dropped']),
  /** The nonFilterableMetadataKeys its OSS index was created with (absent: none). */
  non_filterable_keys: z.array(z.string()).optional(),
});
export type IndexRow = z.infer<typeof IndexRowSchema>;

/** What `vector_sync.index_stats` counts for an index (the report's TotalVectors, and the documents they are passages of). */
export const IndexStatsRowSchema = z
  .object({ total_vectors: count, total_documents: count.optional(), last_synced_at: time })
  .transform((row) => ({ totalVectors: row.total_vectors, totalDocuments: row.total_documents ?? row.total_vectors, lastSyncedAt: row.last_synced_at }));
export type IndexStats = z.output<typeof IndexStatsRowSchema>;

/** The rejections of a run for one reason, with a few example document ids. */
export const RejectionGroupRowSchema = z
  .object({ reason: z.string(), count, examples: z.array(z.string()) })
  .transform((row) => ({ reason: row.reason, count: row.count, examples: row.examples }));
export type RejectionGroup = z.output<typeof RejectionGroupRowSchema>;

/** An event a handler parked for a run (`vector_sync.parked_events`). */
export const ParkedEventRowSchema = z
  .object({ function_name: z.string(), code: z.string(), reason: z.string(), event_id: z.string().nullable() })
  .transform((row) => ({ functionName: row.function_name, code: row.code, reason: row.reason, ...(row.event_id ? { eventId: row.event_id } : {}) }));
export type ParkedEvent = z.output<typeof ParkedEventRowSchema>;

/** What `vector_sync.plan_chunk_instance` answers: the attempt's instance, or why there is none. */
export const ChunkPlanSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('planned'), instance_id: z.string() }),
  z.object({ outcome: z.literal('deferred'), instance_id: z.null() }),
  z.object({ outcome: z.literal('gone'), instance_id: z.null() }),
]);
export type ChunkPlan = z.infer<typeof ChunkPlanSchema>;

// --- reports and digests ---

/** What `vector_sync.settle_run_report` answers. */
export const ReportSettlementRowSchema = z
  .object({ settled: z.boolean(), disposition: z.enum(['sent', 'digest', 'archived-only']), window_start: time })
  .transform((row) => ({ settled: row.settled, disposition: row.disposition, windowStart: row.window_start }));
export type ReportSettlement = z.output<typeof ReportSettlementRowSchema>;

/** A row of `vector_sync.digests`: one digest e-mail per logical index and window. */
export const DigestRowSchema = z.object({
  logical_name: z.string(),
  window_start: z.date(),
  window_end: z.date(),
  state: z.enum(['pending', 'sending', 'sent', 'parked']),
  attempts: z.number(),
  last_error: z.string().nullable(),
  claimed_at: time,
  message_id: z.string().nullable(),
  archive_key: z.string().nullable(),
  sent_at: time,
  parked_at: time,
  resends: z.number(),
  last_resent_at: time,
});
export type DigestRow = z.infer<typeof DigestRowSchema>;

/** A run held for a digest, with the figures the digest sums. */
export const DigestRunRowSchema = z.object({
  run_id: z.string(),
  op: z.enum(['sync', 'rebuild', 'verify', 'search']),
  index_name: z.string(),
  state: z.enum(['completed', 'failed']),
  chunk_count: z.number().nullable(),
  ids_total: count,
  upserted: count,
  deleted: count,
  skipped: count,
  rejected: count,
  failed: count,
  accepted_at: z.date(),
  finished_at: z.date(),
  report_archive_key: z.string().nullable(),
});
export type DigestRunRow = z.infer<typeof DigestRunRowSchema>;
