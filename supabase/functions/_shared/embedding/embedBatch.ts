import { Queue, Step } from '../constants.ts';
import { describeError, EdgeFunctionError } from '../errors.ts';
import type { Embedder } from '../embedders/types.ts';
import type { EmbeddingSource, EmbeddingStore, Logger } from '../types.ts';
import { deleteHandled } from '../queue/deleteHandled.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import { failMessages } from '../queue/failMessages.ts';

/** One document to embed with every message that asked for it. */
export interface EmbedWork {
  readonly source: EmbeddingSource;
  readonly msgIds: readonly bigint[];
}

/** What a batch needs. */
export interface EmbedContext {
  readonly store: EmbeddingStore;
  readonly embedder: Embedder;
  readonly log: Logger;
  readonly maxAttempts: number;
}

/** What the provider answered for (part of) a batch; settled later against the database. */
export type EmbedOutcome =
  | { readonly kind: 'embedded'; readonly work: readonly EmbedWork[]; readonly vectors: readonly number[][] }
  | { readonly kind: 'failed'; readonly work: readonly EmbedWork[]; readonly permanent: boolean; readonly error: string };

/**
 * The provider half of a batch: calls the embedder only, never the database, and never throws. A
 * transient provider error fails the whole batch; a permanent one is narrowed down by halving the
 * batch so that only the input that cannot be embedded fails.
 */
export async function embedBatch(work: readonly EmbedWork[], embedder: Embedder, log: Logger): Promise<EmbedOutcome[]> {
  try {
    const vectors = await embedder.embed(work.map((item) => item.source.content));
    return [{ kind: 'embedded', work, vectors }];
  } catch (error) {
    const permanent = error instanceof EdgeFunctionError && !error.transient;
    if (permanent && work.length > 1) {
      const half = Math.ceil(work.length / 2);
      return [...(await embedBatch(work.slice(0, half), embedder, log)), ...(await embedBatch(work.slice(half), embedder, log))];
    }
    const documents = work.map((item) => item.source.documentId);
    log.warn('embedding failed', { documents, permanent, error: describeError(error) });
    return [{ kind: 'failed', work, permanent, error: describeError(error) }];
  }
}

/**
 * The database half of a batch: writes the vectors with compare-and-set and deletes the handled
 * messages, or sends the messages of a failed embed or write through retry_or_park. Never throws.
 */
export async function settleBatch(outcome: EmbedOutcome, context: EmbedContext): Promise<Partial<EmbedCounts>> {
  const { store, embedder, log } = context;
  const msgIds = outcome.work.flatMap((item) => item.msgIds);
  if (outcome.kind === 'failed') {
    return failMessages(store, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Embed, error: outcome.error, maxAttempts: outcome.permanent ? 1 : context.maxAttempts });
  }
  let refused: Set<string>;
  try {
    const writes = outcome.work.map((item, index) => ({ documentId: item.source.documentId, contentHash: item.source.contentHash, embedding: outcome.vectors[index] ?? [] }));
    refused = await store.writeEmbeddings(embedder.model, writes);
  } catch (error) {
    return failMessages(store, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Write, error: describeError(error), maxAttempts: context.maxAttempts });
  }
  // A refused write means the content moved on after it was read: its newer job carries on.
  if (refused.size > 0) log.info('stale embeddings refused', { documents: [...refused] });
  await deleteHandled(store, log, Queue.EmbeddingJobs, msgIds);
  return { embedded: outcome.work.length - refused.size, stale: refused.size };
}
