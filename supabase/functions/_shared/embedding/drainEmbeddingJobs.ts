import { Queue } from '../constants.ts';
import { QueueReadError } from '../errors.ts';
import type { QueueMessage } from '../types.ts';
import type { EmbedContext } from './embedBatch.ts';
import { addEmbedCounts, emptyEmbedCounts } from './EmbedCounts.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import { EmbedPipeline } from './EmbedPipeline.ts';
import type { EmbedShape } from './EmbedPipeline.ts';
import { prepareEmbedRead } from './prepareEmbedRead.ts';
import type { PreparedRead } from './prepareEmbedRead.ts';

export type { EmbedShape } from './EmbedPipeline.ts';

/** How long and how much one call drains. */
export interface DrainOptions extends EmbedShape {
  readonly queueBatch: number;
  readonly vtSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

/** A read and its lookup, under way; `idle` when nothing else was in flight as it was issued. */
interface PendingRead {
  readonly result: Promise<ReadResult>;
  readonly idle: boolean;
}

type ReadResult =
  | { readonly kind: 'prepared'; readonly size: number; readonly prepared: PreparedRead }
  | { readonly kind: 'empty' }
  | { readonly kind: 'readFailed'; readonly cause: unknown }
  | { readonly kind: 'prepareFailed'; readonly cause: unknown };

/**
 * Reads `embedding_jobs` again and again until a read comes back empty or the time budget is
 * spent, keeping the provider busy: while one full read's batches are at the provider, the next
 * read is already fetched and looked up (at most one read ahead), and the vectors are written by
 * the pipeline's writer lane (see EmbedPipeline). The run ends only on an empty read issued when
 * nothing was in flight, so a job enqueued by an edit during the run is still picked up, as when
 * reads were strictly one after another. A failed read waits for the work in flight, then throws
 * QueueReadError carrying the counts so far: never a silent success.
 */
export async function drainEmbeddingJobs(context: EmbedContext, options: DrainOptions): Promise<EmbedCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts = emptyEmbedCounts();
  const pipeline = new EmbedPipeline(context, options, counts);
  const fetchRead = async (): Promise<ReadResult> => {
    let messages: QueueMessage[];
    try {
      messages = await context.store.readQueue(Queue.EmbeddingJobs, options.vtSeconds, options.queueBatch);
    } catch (cause) {
      return { kind: 'readFailed', cause };
    }
    if (messages.length === 0) return { kind: 'empty' };
    try {
      // Waits for earlier batches of the same documents, so a repeated job is seen as done.
      return { kind: 'prepared', size: messages.length, prepared: await prepareEmbedRead(messages, context, (ids) => pipeline.settledFor(ids)) };
    } catch (cause) {
      return { kind: 'prepareFailed', cause };
    }
  };
  const read = (idle: boolean): PendingRead | undefined => (now() - started < options.budgetMs ? { result: fetchRead(), idle } : undefined);
  let next = read(true);
  while (next) {
    const outcome = await next.result;
    if (outcome.kind === 'readFailed') {
      await pipeline.idle();
      const error = new QueueReadError(Queue.EmbeddingJobs, outcome.cause);
      error.counts = { ...counts, durationMs: now() - started };
      throw error;
    }
    if (outcome.kind === 'prepareFailed') {
      await pipeline.idle();
      throw outcome.cause;
    }
    if (outcome.kind === 'empty') {
      if (next.idle) break;
      // Read while work was in flight: read once more when it is all written.
      await pipeline.idle();
      next = read(true);
      continue;
    }
    const { prepared, size } = outcome;
    addEmbedCounts(counts, prepared.counts);
    // dispatch() registers the batches as in flight before its first await, so the read ahead
    // below sees them. A full read says more is waiting: fetch and look it up while this one is at
    // the provider. A short one says the queue was drained: read again once this work is written.
    const full = size >= options.queueBatch;
    const dispatching = pipeline.dispatch(prepared.work);
    next = full ? read(prepared.work.length === 0 && !pipeline.busy) : undefined;
    await dispatching;
    if (!full) {
      await pipeline.idle();
      next = read(true);
    }
  }
  await pipeline.idle();
  return { ...counts, durationMs: now() - started };
}
