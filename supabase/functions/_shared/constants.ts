/** The pgmq queues the functions drain (names as in the migrations). */
export const Queue = { EmbeddingJobs: 'embedding_jobs', VectorSync: 'vector_sync' } as const;
export type Queue = (typeof Queue)[keyof typeof Queue];

/** The step a dead letter records (`vector_sync.dead_letters.step`). */
export const Step = { Read: 'read', Embed: 'embed', Write: 'write', Publish: 'publish' } as const;
export type Step = (typeof Step)[keyof typeof Step];

/** What `vector_sync.retry_or_park` answers. */
export const RetryVerdict = { Retry: 'retry', Parked: 'parked' } as const;
export type RetryVerdict = (typeof RetryVerdict)[keyof typeof RetryVerdict];

/** The change event, as in shared/contracts (copied: Deno cannot import the Node tree). */
export const ChangeEvent = {
  type: 'vectorsync.changes.published',
  source: 'supabase.edge',
  specversion: '1.0',
  datacontenttype: 'application/json',
  /** Ids per event (Limits.maxIdsPerEvent). */
  maxIds: 500,
} as const;

/** PutEvents limits (the stricter documented figures). */
export const PutEventsLimits = { maxEventsPerRequest: 16, maxEventBytes: 64 * 1024 } as const;

/** The lower-case 8-4-4-4-12 hex form Postgres prints for uuid. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;
