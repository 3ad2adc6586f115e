// Set-up and read-back shared by the queue, document and index-state race tests: the documents'
// content hashes as the SQL computes them, vectors for the sidecar, empty queues between rounds,
// and the queue contents per document id.
import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';

/** The dimension of `public.document_embeddings.embedding`. */
export const DIMENSION = 384;

/** `encode(sha256(convert_to(content, 'UTF8')), 'hex')`, as the triggers and write_embedding compute it. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/** A vector whose every component is `seed` (different seeds give different vectors). */
export function vectorOf(seed: number): number[] {
  return Array.from({ length: DIMENSION }, () => seed);
}

/** pgvector's text form of `vectorOf(seed)`. */
export function vectorText(seed: number): string {
  return `[${vectorOf(seed).join(',')}]`;
}

/** A small deterministic generator, so that a failing round can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A copy of `items` in a random order drawn from `next`. */
export function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Empties both queues, their archives, the dead letters, the documents and the sidecar. */
export async function resetDocumentsAndQueues(sql: Sql): Promise<void> {
  await sql`truncate public.document_embeddings, public.source_documents`;
  await sql`select pgmq.purge_queue('embedding_jobs'), pgmq.purge_queue('vector_sync')`;
  await sql`truncate pgmq.a_embedding_jobs, pgmq.a_vector_sync, vector_sync.dead_letters`;
}

/** The queues the triggers feed. */
export type QueueName = 'embedding_jobs' | 'vector_sync';

/** Per document id: how many messages wait unread, and how many there are in all (read ones too). */
export interface QueuedCounts {
  readonly unread: number;
  readonly all: number;
}

/** The messages of a queue grouped by the document id they carry. */
export async function queuedById(sql: Sql, queue: QueueName): Promise<Map<string, QueuedCounts>> {
  const table = queue === 'embedding_jobs' ? sql`pgmq.q_embedding_jobs` : sql`pgmq.q_vector_sync`;
  const rows = await sql<{ id: string; unread: number; all: number }[]>`
    select message ->> 'id' as id, (count(*) filter (where read_ct = 0))::int as unread, count(*)::int as all
    from ${table} group by 1`;
  return new Map(rows.map((row) => [row.id, { unread: row.unread, all: row.all }]));
}

/** Ids that have more than one unread message waiting in the queue. */
export async function doubledUnread(sql: Sql, queue: QueueName): Promise<string[]> {
  const counts = await queuedById(sql, queue);
  return [...counts.entries()].filter(([, count]) => count.unread > 1).map(([id]) => id).sort();
}

/** The racers that failed, each as "SQLSTATE message" (a deadlock is 40P01), for an assertion that expects none. */
export function failures(results: readonly PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((result) => {
    if (result.status === 'fulfilled') return [];
    // A ledger error keeps the postgres.js error as its cause.
    const reason = result.reason as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
    return [`${String(reason.code ?? reason.cause?.code ?? '?')} ${String(reason.message ?? reason)}`];
  });
}
