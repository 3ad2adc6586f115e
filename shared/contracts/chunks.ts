// The JSON values that cross stages through the ledger and the worker's output: what a chunk covers
// (its selector, written by chunk, read by the worker), what it did (its result, written by the
// worker, read by the report and the dashboard) and the one-line summary a worker command prints.
// Each is parsed where it is read.
import * as z from 'zod';

const count = z.number().int().min(0);

/** Explicit ids (a sync run): the worker decides each one from its current row. */
const IdsSelectorSchema = z.strictObject({ ids: z.array(z.string().min(1)).min(1) });

/** A key range `(after, through]` over the sidecar (rebuild, verify); null is an open end. */
const RangeSelectorSchema = z.strictObject({ after: z.string().min(1).nullable(), through: z.string().min(1).nullable() });

/** What one chunk covers. */
export const ChunkSelectorSchema = z.union([IdsSelectorSchema, RangeSelectorSchema]);
export type ChunkSelector = z.infer<typeof ChunkSelectorSchema>;
export type IdsSelector = z.infer<typeof IdsSelectorSchema>;
export type RangeSelector = z.infer<typeof RangeSelectorSchema>;

/** The ids of a selector, or undefined for a key range. */
export function selectorIds(selector: ChunkSelector): readonly string[] | undefined {
  return 'ids' in selector ? selector.ids : undefined;
}

/** The counts the ledger sums into the run (`finish_chunk` refuses anything but whole numbers). */
const ChunkCountsSchema = z.object({ upserted: count, deleted: count, skipped: count, rejected: count, failed: count });
export type ChunkCounts = z.infer<typeof ChunkCountsSchema>;

/** The validation query: sampled vectors that came back as their own top-1. */
const ValidationResultSchema = z.object({ sampled: count, matched: count, waitedMs: count.optional() });
export type ValidationResult = z.infer<typeof ValidationResultSchema>;

/** Drift a verify chunk found. */
const DriftSchema = z.object({
  /** Absent because the vector was refused since its embedding last changed: not drift. */
  rejected: count,
  missing: count,
  stale: count,
  orphaned: count,
  examples: z.array(z.string()),
});
export type Drift = z.infer<typeof DriftSchema>;

/** How far OSS Vectors' top k of one query is from an exact search in Postgres (pgvector, no index). */
const QueryRecallSchema = z.object({
  /** |OSS top k ∩ exact top k| / k (k capped at what the exact search found). */
  recall: z.number().min(0).max(1),
  /** In the exact top k, not in OSS Vectors' answer. */
  missed: z.array(z.string()),
  /** In OSS Vectors' answer, not in the exact top k. */
  extra: z.array(z.string()),
});
export type QueryRecall = z.infer<typeof QueryRecallSchema>;

/** Recall@k over a sample of queries: the mean, and the queries whose hits differ (a bounded list). */
const RecallResultSchema = z.object({
  k: count,
  sampled: count,
  recall: z.number().min(0).max(1),
  differing: z.array(QueryRecallSchema.extend({ label: z.string() })),
});
export type RecallResult = z.infer<typeof RecallResultSchema>;

/** One hit of a search query: the document, its distance and the snippet its vector carries. */
const SearchHitSchema = z.object({
  documentId: z.string(),
  /** The passage of the document the hit is (absent: the first, or a vector from before passages). */
  passageNo: count.optional(),
  distance: z.number().nullable(),
  snippet: z.string().optional(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** One query of a search run as the report shows it (the archive holds the full answer). */
const SearchQueryResultSchema = z.object({
  label: z.string(),
  kind: z.enum(['text', 'vector', 'document']),
  hits: z.array(SearchHitSchema),
  /** Why this query got no answer (e.g. the document has no embedding); the others still ran. */
  error: z.string().optional(),
  recall: QueryRecallSchema.optional(),
});
export type SearchQueryResult = z.infer<typeof SearchQueryResultSchema>;

/** What a search chunk found. */
const SearchResultSchema = z.object({
  /** The generation searched. */
  index: z.string(),
  topK: count,
  filtered: z.boolean(),
  /** Hits grouped by document (best passage first), or the passages as they are. */
  grouped: z.boolean().optional(),
  queries: z.array(SearchQueryResultSchema),
  /** Where the full results are archived in OSS (JSON). */
  archiveKey: z.string().optional(),
  /** The model text queries were embedded with (the sidecar's most common) and how many models the sidecar holds. */
  textModel: z.object({ model: z.string(), models: count }).optional(),
  /** Recall@topK over the queries, when the search asked for it. */
  recall: RecallResultSchema.optional(),
});
export type SearchResult = z.infer<typeof SearchResultSchema>;

/** What a finished chunk stored in `vector_sync.chunks.result`. */
export const ChunkResultSchema = ChunkCountsSchema.extend({
  durationMs: count.optional(),
  /** Vectors (passages) the chunk put into and deleted from its first target; the counts above are documents. */
  vectorsWritten: count.optional(),
  vectorsDeleted: count.optional(),
  vectorsPerSecond: count.optional(),
  /** PutVectors and DeleteVectors calls sent (every attempt, retries included). */
  writeCalls: count.optional(),
  /** Of those, the ones the index answered 429 (over its write quota). */
  throttledCalls: count.optional(),
  /** Sync and rebuild chunks. */
  validation: ValidationResultSchema.optional(),
  /** Verify chunks. */
  drift: DriftSchema.optional(),
  healed: count.optional(),
  /** Verify chunks of a run with `heal: false`: the drift was reported and left in place. */
  healSkipped: z.boolean().optional(),
  /** Verify chunks that measured search quality over a sample. */
  recall: RecallResultSchema.optional(),
  /** Search chunks. */
  search: SearchResultSchema.optional(),
});
export type ChunkResult = z.infer<typeof ChunkResultSchema>;

/** Zero counts. */
export function noCounts(): ChunkCounts {
  return { upserted: 0, deleted: 0, skipped: 0, rejected: 0, failed: 0 };
}

/**
 * The one JSON line a worker command prints on stdout (`ok` says whether it did its work); the
 * rest depends on the command. On failure it carries the exit code, the kind and the error.
 */
const WorkerSummarySchema = z.looseObject({
  ok: z.boolean(),
  command: z.string(),
  exitCode: z.number().int().optional(),
  kind: z.enum(['transient', 'permanent']).optional(),
  error: z.object({ name: z.string(), message: z.string(), code: z.string().optional() }).optional(),
});
export type WorkerSummary = z.infer<typeof WorkerSummarySchema>;

/** Reads a worker's stdout: its last line is the summary. */
export function parseWorkerSummary(stdout: string): WorkerSummary {
  const line = stdout.trim().split('\n').pop() ?? '';
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  const parsed = WorkerSummarySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  return { ok: false, command: 'unknown', error: { name: 'WorkerOutputError', message: `the worker's last output line is not its JSON summary: ${line.slice(0, 200)}` } };
}
