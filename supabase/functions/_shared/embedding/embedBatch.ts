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

function sum(a: Partial<EmbedCounts>, b: Partial<EmbedCounts>): Partial<EmbedCounts> {
  const total: Partial<EmbedCounts> = { ...a };
  for (const key of Object.keys(b) as (keyof EmbedCounts)[]) total[key] = (total[key] ?? 0) + (b[key] ?? 0);
  return total;
}

/**
 * Embeds one provider batch and writes it with compare-and-set. Never throws: a transient provider
 * error sends every message through retry_or_park; a permanent one is narrowed down by halving the
 * batch so that only the input that cannot be embedded is parked.
 */
export async function embedBatch(work: readonly EmbedWork[], context: EmbedContext): Promise<Partial<EmbedCounts>> {
  const { store, embedder, log } = context;
  const msgIds = work.flatMap((item) => item.msgIds);
  let vectors: number[][];
  try {
    vectors = await embedder.embed(work.map((item) => item.source.content));
  } catch (error) {
    const permanent = error instanceof EdgeFunctionError && !error.transient;
    if (permanent && work.length > 1) {
      const half = Math.ceil(work.length / 2);
      return sum(await embedBatch(work.slice(0, half), context), await embedBatch(work.slice(half), context));
    }
    const documents = work.map((item) => item.source.documentId);
    log.warn('embedding failed', { documents, permanent, error: describeError(error) });
    return failMessages(store, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Embed, error: describeError(error), maxAttempts: permanent ? 1 : context.maxAttempts });
  }
  let refused: Set<string>;
  try {
    const writes = work.map((item, index) => ({ documentId: item.source.documentId, contentHash: item.source.contentHash, embedding: vectors[index] ?? [] }));
    refused = await store.writeEmbeddings(embedder.model, writes);
  } catch (error) {
    return failMessages(store, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Write, error: describeError(error), maxAttempts: context.maxAttempts });
  }
  // A refused write means the content moved on after it was read: its newer job carries on.
  if (refused.size > 0) log.info('stale embeddings refused', { documents: [...refused] });
  await deleteHandled(store, log, Queue.EmbeddingJobs, msgIds);
  return { embedded: work.length - refused.size, stale: refused.size };
}
