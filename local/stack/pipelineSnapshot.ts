import type { Sql } from 'postgres';

/** Where the pipeline stands, stage by stage, read from the database. */
export interface PipelineSnapshot {
  readonly documents: number;
  readonly embedded: number;
  readonly embeddingQueue: number;
  readonly syncQueue: number;
  readonly deadLetters: number;
  readonly runs: { readonly open: number; readonly completed: number; readonly failed: number; readonly reportsPending: number };
  readonly chunks: { readonly open: number; readonly succeeded: number; readonly failed: number };
  /** TotalVectors of the active generation (from index_state). */
  readonly vectors: number;
  readonly parkedEvents: number;
}

function n(value: unknown): number {
  return Number(value ?? 0);
}

/** One cheap read of every stage's counters (bounded aggregate queries only). */
export async function pipelineSnapshot(sql: Sql, logicalIndex: string): Promise<PipelineSnapshot> {
  const [[docs], queues, [runs], [chunks], [vectors], [parked]] = await Promise.all([
    sql`select (select count(*) from public.source_documents) as documents, (select count(*) from public.document_embeddings) as embedded`,
    sql`select queue, depth from vector_sync.queue_depth`,
    sql`select count(*) filter (where state not in ('completed', 'failed')) as open,
               count(*) filter (where state = 'completed') as completed,
               count(*) filter (where state = 'failed') as failed,
               count(*) filter (where state in ('completed', 'failed') and report_sent_at is null) as reports_pending
        from vector_sync.runs`,
    sql`select count(*) filter (where state not in ('succeeded', 'failed')) as open,
               count(*) filter (where state = 'succeeded') as succeeded,
               count(*) filter (where state = 'failed') as failed
        from vector_sync.chunks`,
    sql`select coalesce((select total_vectors from vector_sync.index_stats(a.index_name)), 0) as total
        from vector_sync.active_index(${logicalIndex}) as a`,
    sql`select (select count(*) from vector_sync.parked_events) as parked, (select count(*) from vector_sync.dead_letters) as dead`,
  ]);
  const depth = (name: string): number => n(queues.find((row) => row.queue === name)?.depth);
  return {
    documents: n(docs?.documents),
    embedded: n(docs?.embedded),
    embeddingQueue: depth('embedding_jobs'),
    syncQueue: depth('vector_sync'),
    deadLetters: n(parked?.dead),
    runs: { open: n(runs?.open), completed: n(runs?.completed), failed: n(runs?.failed), reportsPending: n(runs?.reports_pending) },
    chunks: { open: n(chunks?.open), succeeded: n(chunks?.succeeded), failed: n(chunks?.failed) },
    vectors: n(vectors?.total),
    parkedEvents: n(parked?.parked),
  };
}

/** True when nothing is waiting anywhere: queues empty, runs final, reports sent. */
export function isQuiet(snapshot: PipelineSnapshot): boolean {
  return (
    snapshot.embedded + snapshot.deadLetters >= snapshot.documents &&
    snapshot.embeddingQueue === 0 &&
    snapshot.syncQueue === 0 &&
    snapshot.runs.open === 0 &&
    snapshot.runs.reportsPending === 0
  );
}
