// The queue side of the database, as the Supabase edge functions use it: the pgmq helpers of
// docs/supabase.md (read, delete, retry-or-park), the embedding sources and the compare-and-set
// writes of the sidecar. Deno imports this file as it is, so its imports carry `.ts`.
import type { Sql } from 'postgres';
import { LedgerBase } from './LedgerBase.ts';
import type { Statement } from './LedgerBase.ts';

/** The pgmq queues the edge functions drain (names as in the migrations). */
export const Queue = { EmbeddingJobs: 'embedding_jobs', VectorSync: 'vector_sync' } as const;
export type Queue = (typeof Queue)[keyof typeof Queue];

/** The step a dead letter records (`vector_sync.dead_letters.step`). */
export const Step = { Read: 'read', Embed: 'embed', Write: 'write', Publish: 'publish' } as const;
export type Step = (typeof Step)[keyof typeof Step];

/** What `vector_sync.retry_or_park` answers. */
export const RetryVerdict = { Retry: 'retry', Parked: 'parked' } as const;
export type RetryVerdict = (typeof RetryVerdict)[keyof typeof RetryVerdict];

/** One message as `vector_sync.read_queue` returns it. */
export interface QueueMessage {
  readonly msgId: bigint;
  readonly readCt: number;
  readonly documentId: string | null;
}

/** A claim-check batch of changed ids as publish-changes sees it (`vector_sync.claimed_batch`). */
export interface ChangeBatch {
  readonly batchId: string;
  readonly logicalName: string;
  readonly idCount: number;
  readonly publishAttempts: number;
}

/** What a publish cycle weighs before it claims (`vector_sync.change_backlog`). */
export interface ChangeBacklog {
  /** Documents are still waiting for their embedding: a bulk load is under way. */
  readonly embeddingPending: boolean;
  /** Visible messages in `vector_sync`, counted up to the limit asked for. */
  readonly syncVisible: number;
  /** Seconds the oldest visible message has waited; undefined when none is visible. */
  readonly oldestAgeSeconds: number | undefined;
}

/** Where a batch stands after a failed publish. */
export const BatchState = { Claimed: 'claimed', Published: 'published', Parked: 'parked' } as const;
export type BatchState = (typeof BatchState)[keyof typeof BatchState];

/** A document's current content with the sidecar's state (`vector_sync.embedding_sources`). */
export interface EmbeddingSource {
  readonly documentId: string;
  readonly content: string;
  readonly contentHash: string;
  readonly embeddedHash: string | null;
  readonly embeddedModel: string | null;
  /** The SHA-256 of each passage the sidecar holds, in passage order (null: no embedding). */
  readonly embeddedPassages: readonly string[] | null;
}

/** One passage of a document to store: where it sits (in code points, as Postgres counts characters) and its vector. */
export interface PassageWrite {
  readonly no: number;
  /** SHA-256 of the passage's text; null when the passage is the whole content. */
  readonly hash: string | null;
  readonly start: number;
  /** Length in code points; null: to the end of the content. */
  readonly chars: number | null;
  /** The vector; null keeps the one the sidecar holds for the same text and model. */
  readonly embedding: readonly number[] | null;
}

/** A document's whole set of passages, written together (compare-and-set on its content hash). */
export interface EmbeddingWrite {
  readonly documentId: string;
  readonly contentHash: string;
  readonly passages: readonly PassageWrite[];
}

/** Delays retry_or_park applies, in seconds: base * 2^(read_ct-1), capped. */
export interface RetryDelays {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/**
 * The queue helpers over postgres.js. Every call is one statement in autocommit: no transaction
 * is held while the embedding provider or EventBridge is called.
 */
export class QueueLedger extends LedgerBase {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(sql: Sql, private readonly delays: RetryDelays = { baseSeconds: 10, maxSeconds: 900 }) {
    super(sql);
  }

  /**
   * Statements go one at a time: they are short next to provider calls, and a multiplexing proxy
   * (pglite-socket, see reference 7.3) interleaves the extended-protocol messages of concurrent
   * connections ("bind message supplies 4 parameters, but prepared statement requires 2").
   */
  protected override query(operation: string, statement: Statement): Promise<readonly Record<string, unknown>[]> {
    const next = this.tail.then(() => super.query(operation, statement));
    this.tail = next.catch(() => undefined);
    return next;
  }

  async readQueue(queue: string, vtSeconds: number, qty: number): Promise<QueueMessage[]> {
    const rows = await this.query('read_queue', (sql) => sql`
      select msg_id::text as msg_id, read_ct, document_id from vector_sync.read_queue(${queue}, ${vtSeconds}::int, ${qty}::int)`);
    return rows.map((row) => ({ msgId: BigInt(String(row.msg_id)), readCt: Number(row.read_ct), documentId: row.document_id === null ? null : String(row.document_id) }));
  }

  /** Deletes the messages; answers how many were there. */
  deleteMessages(queue: string, msgIds: readonly bigint[]): Promise<number> {
    if (msgIds.length === 0) return Promise.resolve(0);
    return this.count('delete_messages', (sql) => sql`select vector_sync.delete_messages(${queue}, ${msgIds.map(String)}::bigint[]) as n`);
  }

  /** Makes a failed message visible again after a backoff, or parks it in the dead letters at its last attempt. */
  async retryOrPark(queue: string, msgId: bigint, error: string, step: Step, maxAttempts: number): Promise<RetryVerdict> {
    const [row] = await this.query('retry_or_park', (sql) => sql`
      select vector_sync.retry_or_park(${queue}, ${String(msgId)}::bigint, ${error.slice(0, 2_000)}, ${step}, ${maxAttempts}::int,
        ${this.delays.baseSeconds}::int, ${this.delays.maxSeconds}::int) as verdict`);
    return row?.verdict === RetryVerdict.Parked ? RetryVerdict.Parked : RetryVerdict.Retry;
  }

  /**
   * Moves up to `maxIds` messages of the `vector_sync` queue into one change batch, in one
   * transaction with their delete; the batch is leased to this caller for `leaseSeconds`. Undefined
   * when the queue is empty. Messages without a document uuid are parked on the way.
   */
  async claimChangeBatch(logicalName: string, maxIds: number, leaseSeconds: number): Promise<ChangeBatch | undefined> {
    const rows = await this.query('claim_change_batch', (sql) => sql`
      select batch_id::text as batch_id, logical_name, id_count, publish_attempts
      from vector_sync.claim_change_batch(${logicalName}, ${maxIds}::int, ${leaseSeconds}::int)`);
    return rows.map(toChangeBatch)[0];
  }

  /** Whether embeddings are pending, and how many sync messages (up to `maxIds`) wait and for how long. */
  async changeBacklog(maxIds: number): Promise<ChangeBacklog> {
    const [row] = await this.query('change_backlog', (sql) => sql`
      select embedding_pending, sync_visible, oldest_age_seconds from vector_sync.change_backlog(${maxIds}::int)`);
    const age = row?.oldest_age_seconds;
    return { embeddingPending: row?.embedding_pending === true, syncVisible: Number(row?.sync_visible ?? 0), oldestAgeSeconds: age === null || age === undefined ? undefined : Number(age) };
  }

  /** Claimed batches whose publish is due (an earlier publish failed or its cycle died), leased to this caller. */
  async batchesToPublish(logicalName: string, leaseSeconds: number, limit: number): Promise<ChangeBatch[]> {
    const rows = await this.query('batches_to_publish', (sql) => sql`
      select batch_id::text as batch_id, logical_name, id_count, publish_attempts
      from vector_sync.batches_to_publish(${logicalName}, ${leaseSeconds}::int, ${limit}::int)`);
    return rows.map(toChangeBatch);
  }

  /** Records that the bus accepted the batch's event. */
  async markBatchPublished(batchId: string): Promise<void> {
    await this.query('mark_batch_published', (sql) => sql`select 1 from vector_sync.mark_batch_published(${batchId}::uuid)`);
  }

  /** A failed publish: the batch is retried after a backoff, or parked with the error at its last attempt. */
  async failBatchPublish(batchId: string, error: string, maxAttempts: number): Promise<BatchState> {
    const [row] = await this.query('fail_batch_publish', (sql) => sql`
      select state from vector_sync.fail_batch_publish(${batchId}::uuid, ${error.slice(0, 2_000)}, ${maxAttempts}::int,
        ${this.delays.baseSeconds}::int, ${this.delays.maxSeconds}::int)`);
    const state = String(row?.state);
    return state === BatchState.Parked || state === BatchState.Published ? state : BatchState.Claimed;
  }

  async embeddingSources(ids: readonly string[]): Promise<EmbeddingSource[]> {
    if (ids.length === 0) return [];
    const rows = await this.query('embedding_sources', (sql) => sql`
      select document_id::text as document_id, content, content_hash, embedded_hash, embedded_model, embedded_passages
      from vector_sync.embedding_sources(${[...ids]}::uuid[])`);
    return rows.map((row) => ({
      documentId: String(row.document_id),
      content: String(row.content),
      contentHash: String(row.content_hash),
      embeddedHash: row.embedded_hash === null ? null : String(row.embedded_hash),
      embeddedModel: row.embedded_model === null ? null : String(row.embedded_model),
      embeddedPassages: Array.isArray(row.embedded_passages) ? row.embedded_passages.map(String) : null,
    }));
  }

  /**
   * Compare-and-set writes of whole documents (`vector_sync.write_embeddings`, one statement per
   * batch): answers the ids whose write was refused because the document is gone or its content
   * hash moved on.
   */
  async writeEmbeddings(model: string, items: readonly EmbeddingWrite[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    // The last entry of a repeated id wins, as if the documents had been written one after another.
    const byId = new Map(items.map((item) => [item.documentId, item]));
    const written = await this.writeDocuments(model, [...byId.values()], false);
    // The batch skips a document an edit holds at that instant (waiting there, while holding the
    // rest of the batch, can deadlock with the edit): each one not written goes again on its own,
    // which waits for the edit and then compares the hash.
    for (const item of byId.values()) {
      if (!written.has(item.documentId) && (await this.writeDocuments(model, [item], true)).size > 0) written.add(item.documentId);
    }
    return new Set([...byId.keys()].filter((id) => !written.has(id)));
  }

  /** One `write_embeddings` statement (the sidecar's statement-level triggers fire once); answers the ids written. */
  private async writeDocuments(model: string, items: readonly EmbeddingWrite[], wait: boolean): Promise<Set<string>> {
    const rows = items.flatMap((item) => item.passages.map((passage) => ({ item, passage })));
    const rowsOut = await this.query('write_embeddings', (sql) => sql`
      select w::text as document_id
      from vector_sync.write_embeddings(
        ${rows.map((r) => r.item.documentId)}::uuid[], ${rows.map((r) => r.item.contentHash)}::text[],
        ${rows.map((r) => r.passage.no)}::int[], ${rows.map((r) => r.passage.hash)}::text[],
        ${rows.map((r) => r.passage.start)}::int[], ${rows.map((r) => r.passage.chars)}::int[],
        ${model}, ${rows.map((r) => (r.passage.embedding === null ? null : `[${r.passage.embedding.join(',')}]`))}::text[]::extensions.vector[],
        ${wait}) as w`);
    return new Set(rowsOut.map((row) => String(row.document_id)));
  }

  /** The dimension of `public.document_embeddings.embedding` (pgvector keeps it in atttypmod). */
  async embeddingColumnDimension(): Promise<number> {
    const [row] = await this.query('embedding_column_dimension', (sql) => sql`
      select atttypmod from pg_catalog.pg_attribute
      where attrelid = 'public.document_embeddings'::regclass and attname = 'embedding' and not attisdropped`);
    return Number(row?.atttypmod ?? -1);
  }
}

function toChangeBatch(row: Readonly<Record<string, unknown>>): ChangeBatch {
  return { batchId: String(row.batch_id), logicalName: String(row.logical_name), idCount: Number(row.id_count), publishAttempts: Number(row.publish_attempts) };
}
