import type { RetryVerdict, Step } from './constants.ts';

/** One message as `vector_sync.read_queue` returns it. */
export interface QueueMessage {
  readonly msgId: bigint;
  readonly readCt: number;
  readonly documentId: string | null;
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

/** The queue helpers of docs/supabase.md, as the domain code needs them. */
export interface QueueStore {
  readQueue(queue: string, vtSeconds: number, qty: number): Promise<QueueMessage[]>;
  deleteMessages(queue: string, msgIds: readonly bigint[]): Promise<number>;
  retryOrPark(queue: string, msgId: bigint, error: string, step: Step, maxAttempts: number): Promise<RetryVerdict>;
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

/** One JSON log line's fields. */
export type LogFields = Readonly<Record<string, unknown>>;

/** JSON-lines logger bound to one request. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** An answer of a function: HTTP status and JSON body. */
export interface JobAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}
