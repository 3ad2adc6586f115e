import { Queue } from '../constants.ts';
import { QueueReadError } from '../errors.ts';
import type { QueueMessage } from '../types.ts';
import type { EmbedContext } from './embedBatch.ts';
import { addEmbedCounts, emptyEmbedCounts } from './EmbedCounts.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import { processEmbedRead } from './processEmbedRead.ts';
import type { EmbedShape } from './processEmbedRead.ts';

/** How long and how much one call drains. */
export interface DrainOptions extends EmbedShape {
  readonly queueBatch: number;
  readonly vtSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

/**
 * Reads `embedding_jobs` again and again until a read comes back empty or the time budget is
 * spent. A failed read throws QueueReadError carrying the counts so far: never a silent success.
 */
export async function drainEmbeddingJobs(context: EmbedContext, options: DrainOptions): Promise<EmbedCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts = emptyEmbedCounts();
  while (now() - started < options.budgetMs) {
    let messages: QueueMessage[];
    try {
      messages = await context.store.readQueue(Queue.EmbeddingJobs, options.vtSeconds, options.queueBatch);
    } catch (cause) {
      const error = new QueueReadError(Queue.EmbeddingJobs, cause);
      error.counts = { ...counts, durationMs: now() - started };
      throw error;
    }
    if (messages.length === 0) break;
    addEmbedCounts(counts, await processEmbedRead(messages, context, options));
  }
  return { ...counts, durationMs: now() - started };
}
