// The database side of both functions: a small postgres.js pool over SUPABASE_DB_URL and the
// `vector_sync` helpers of docs/supabase.md as typed methods.
import postgres from 'postgres';
import { RetryVerdict } from './queue.ts';
import type { QueueMessage, QueueStore, Step } from './queue.ts';

/** A postgres.js client as the functions use it. */
export type Sql = ReturnType<typeof postgres>;

/**
 * A small pool over the direct database URL: two connections (the work is sequential per call),
 * no prepared statements (poolers and pglite-socket do not keep them), no notice noise.
 */
export function createSql(url: string): Sql {
  return postgres(url, { max: 2, prepare: false, idle_timeout: 20, connect_timeout: 10, onnotice: () => undefined });
}

/** A document's current content with the sidecar's state (`vector_sync.embedding_sources`). */
export interface EmbeddingSource {
  readonly documentId: string;
  readonly content: string;
  readonly contentHash: string;
  readonly embeddedHash: string | null;
  readonly embeddedModel: string | null;
}

/** One vector to store. */
export interface EmbeddingWrite {
  readonly documentId: string;
  readonly contentHash: string;
  readonly embedding: readonly number[];
}

/** The embedding side of the helpers. */
export interface EmbeddingStore extends QueueStore {
  embeddingSources(ids: readonly string[]): Promise<EmbeddingSource[]>;
  /**
   * Compare-and-set writes (`vector_sync.write_embeddings`, one statement per batch): the ids
   * whose write was refused because the document is gone or its content hash moved on.
   */
  writeEmbeddings(model: string, items: readonly EmbeddingWrite[]): Promise<Set<string>>;
}

/** Delays retry_or_park applies, in seconds. */
interface RetryDelays {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/**
 * The `vector_sync` helpers of docs/supabase.md over postgres.js. Every call is one statement in
 * autocommit: no transaction is held while the provider or EventBridge is called.
 */
export class PostgresStore implements EmbeddingStore {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly sql: Sql, private readonly delays: RetryDelays) {}

  /**
   * Statements go one at a time: they are short next to provider calls, and a multiplexing proxy
   * (pglite-socket, see reference 7.3) interleaves the extended-protocol messages of concurrent
   * connections ("bind message supplies 4 parameters, but prepared statement requires 2").
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async readQueue(queue: string, vtSeconds: number, qty: number): Promise<QueueMessage[]> {
    const rows = await this.serial(() => this.sql<{ msg_id: string; read_ct: number; document_id: string | null }[]>`
      select msg_id::text as msg_id, read_ct, document_id from vector_sync.read_queue(${queue}, ${vtSeconds}::int, ${qty}::int)`);
    return rows.map((row) => ({ msgId: BigInt(row.msg_id), readCt: Number(row.read_ct), documentId: row.document_id }));
  }

  async deleteMessages(queue: string, msgIds: readonly bigint[]): Promise<number> {
    if (msgIds.length === 0) return 0;
    const ids = msgIds.map(String);
    const [row] = await this.serial(() => this.sql<{ deleted: string }[]>`
      select vector_sync.delete_messages(${queue}, ${ids}::bigint[])::text as deleted`);
    return Number(row?.deleted ?? 0);
  }

  async retryOrPark(queue: string, msgId: bigint, error: string, step: Step, maxAttempts: number): Promise<RetryVerdict> {
    const [row] = await this.serial(() => this.sql<{ verdict: string }[]>`
      select vector_sync.retry_or_park(${queue}, ${String(msgId)}::bigint, ${error.slice(0, 2_000)}, ${step}, ${maxAttempts}::int,
        ${this.delays.baseSeconds}::int, ${this.delays.maxSeconds}::int) as verdict`);
    return row?.verdict === RetryVerdict.Parked ? RetryVerdict.Parked : RetryVerdict.Retry;
  }

  async embeddingSources(ids: readonly string[]): Promise<EmbeddingSource[]> {
    if (ids.length === 0) return [];
    const rows = await this.serial(() => this.sql<{ document_id: string; content: string; content_hash: string; embedded_hash: string | null; embedded_model: string | null }[]>`
      select document_id::text as document_id, content, content_hash, embedded_hash, embedded_model
      from vector_sync.embedding_sources(${[...ids]}::uuid[])`);
    return rows.map((row) => ({
      documentId: row.document_id,
      content: row.content,
      contentHash: row.content_hash,
      embeddedHash: row.embedded_hash,
      embeddedModel: row.embedded_model,
    }));
  }

  async writeEmbeddings(model: string, items: readonly EmbeddingWrite[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const ids = items.map((item) => item.documentId);
    const hashes = items.map((item) => item.contentHash);
    const vectors = items.map((item) => `[${item.embedding.join(',')}]`);
    // One statement per batch: the sidecar's statement-level trigger (the vector_sync send) fires once.
    const rows = await this.serial(() => this.sql<{ document_id: string }[]>`
      select w::text as document_id
      from vector_sync.write_embeddings(${ids}::uuid[], ${hashes}::text[], ${model}, ${vectors}::text[]::extensions.vector[]) as w`);
    const written = new Set(rows.map((row) => row.document_id));
    return new Set(ids.filter((id) => !written.has(id)));
  }

  /** The dimension of `public.document_embeddings.embedding` (pgvector keeps it in atttypmod). */
  async embeddingColumnDimension(): Promise<number> {
    const [row] = await this.serial(() => this.sql<{ atttypmod: number }[]>`
      select atttypmod from pg_catalog.pg_attribute
      where attrelid = 'public.document_embeddings'::regclass and attname = 'embedding' and not attisdropped`);
    return Number(row?.atttypmod ?? -1);
  }
}
