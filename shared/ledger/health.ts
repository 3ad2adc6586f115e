// What `vector_sync.index_health` and the view `vector_sync.document_status` answer, parsed where
// they are read (shared/ledger/Ledger.ts) and handed on to the report and the dashboard.
import * as z from 'zod';

const count = z.number().int().min(0);
/** Seconds (rounded to the millisecond by the SQL). */
const seconds = z.number().min(0);

/** A time from jsonb (`2026-12-04T20:05:05.981234+00:00`), kept as an ISO string in UTC. */
const isoTime = z.string().transform((text, ctx) => {
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not a time: ${text.slice(0, 40)}` });
    return z.NEVER;
  }
  return time.toISOString();
});

/** How healthy a logical index is: coverage and backlog now, lag, drift and rejections over a window. */
export const IndexHealthSchema = z.object({
  logicalName: z.string(),
  /** The active generation; null while none is active (a first rebuild). */
  indexName: z.string().nullable(),
  asOf: isoTime,
  since: isoTime,
  until: isoTime,
  coverage: z.object({
    /** Vectors (passages) the active generation holds (index_state). */
    vectors: count,
    /** Passage embeddings in the sidecar. */
    embeddings: count,
    /** Documents the active generation holds a first passage of, and documents with an embedding (absent before passages). */
    indexedDocuments: count.optional(),
    embeddedDocuments: count.optional(),
    documents: count,
    /** Documents with content and no embedding yet. */
    withoutEmbedding: count,
    /** Blank documents: never embedded, so never in the index. */
    blank: count,
    /** vectors / embeddings; null without embeddings. */
    ratio: z.number().min(0).nullable(),
  }),
  backlog: z.object({
    embeddingJobs: count,
    vectorSync: count,
    batchesClaimed: count,
    idsClaimed: count,
    batchesParked: count,
    idsParked: count,
    openRuns: count,
    chunksReady: count,
    chunksInFlight: count,
    deadLetters: count,
    parkedEvents: count,
  }),
  lag: z.object({
    /** The oldest change not yet in the index (queued, batched, or in an open run). */
    oldestChangeAt: isoTime.nullable(),
    oldestSeconds: seconds.nullable(),
    /** Change-to-indexed of the items that reached an outcome in the window. */
    p50Seconds: seconds.nullable(),
    p95Seconds: seconds.nullable(),
    count,
  }),
  /** What the verify runs that finished in the window found and put back on the queue. */
  drift: z.object({ verifyRuns: count, missing: count, stale: count, orphaned: count, healed: count }),
  /** Rejections in the window by reason, most frequent first. */
  rejections: z.array(z.object({ reason: z.string(), count })),
  /** About 12 equal buckets over the window: vectors indexed (upserted + deleted) and p95 lag. */
  series: z.array(z.object({ start: isoTime, end: isoTime, indexed: count, p95LagSeconds: seconds.nullable() })),
});
export type IndexHealth = z.output<typeof IndexHealthSchema>;

/** The row `select vector_sync.index_health(...) as health` answers. */
export const IndexHealthRowSchema = z.object({ health: IndexHealthSchema });

/** The statuses of `vector_sync.document_status`, in the order a document moves through them. */
export const DocumentStatuses = ['pending_embedding', 'pending_sync', 'indexed', 'unchanged', 'rejected', 'failed', 'deleted'] as const;
export type DocumentStatusName = (typeof DocumentStatuses)[number];

/** A row of `vector_sync.document_status`. */
export const DocumentStatusRowSchema = z.object({
  document_id: z.string(),
  logical_name: z.string().nullable(),
  /** The active generation (null while none is active). */
  index_name: z.string().nullable(),
  status: z.enum(DocumentStatuses),
  reason: z.string().nullable(),
  indexed_at: z.date().nullable(),
  content_hash: z.string().nullable(),
  embedded_hash: z.string().nullable(),
  indexed_hash: z.string().nullable(),
  document_updated_at: z.date().nullable(),
  embedded_at: z.date().nullable(),
  last_run_id: z.string().nullable(),
  last_op: z.string().nullable(),
  last_outcome: z.string().nullable(),
  last_seen_at: z.date().nullable(),
});
export type DocumentStatus = z.infer<typeof DocumentStatusRowSchema>;

/** Documents per status, every status present (0 when none). */
export type DocumentStatusCounts = Readonly<Record<DocumentStatusName, number>>;

/** A row of `select status, count(*) as n ... group by status` (bigint arrives as a string). */
export const DocumentStatusCountRowSchema = z.object({ status: z.enum(DocumentStatuses), n: z.union([z.number(), z.string()]).transform(Number) });
