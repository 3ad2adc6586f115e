import { coalesceMessages } from '../coalesceMessages.ts';
import { Queue, Step } from '../constants.ts';
import { failMessages } from '../queue/failMessages.ts';
import { QueueReadError } from '../errors.ts';
import type { QueueMessage } from '../types.ts';
import { packCalls } from './packCalls.ts';
import { packChanges } from './packChanges.ts';
import { publishCall } from './publishCall.ts';
import type { PublishContext } from './publishCall.ts';
import type { PublishCounts } from './types.ts';

/** How long and how much one call drains. */
export interface DrainChangesOptions {
  readonly index: string;
  readonly batch: number;
  readonly vtSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

function add(into: PublishCounts, more: Partial<PublishCounts>): void {
  for (const key of Object.keys(more) as (keyof PublishCounts)[]) into[key] += more[key] ?? 0;
}

/**
 * Reads `vector_sync` until empty or out of time, coalesces ids per read, and publishes them as
 * change events. A failed read throws QueueReadError with the counts so far.
 */
export async function drainChanges(context: PublishContext, options: DrainChangesOptions): Promise<PublishCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts: PublishCounts = { read: 0, published: 0, events: 0, retried: 0, parked: 0 };
  while (now() - started < options.budgetMs) {
    let messages: QueueMessage[];
    try {
      messages = await context.store.readQueue(Queue.VectorSync, options.vtSeconds, options.batch);
    } catch (cause) {
      const error = new QueueReadError(Queue.VectorSync, cause);
      error.counts = { ...counts, durationMs: now() - started };
      throw error;
    }
    if (messages.length === 0) break;
    counts.read += messages.length;
    const { byId, invalid } = coalesceMessages(messages);
    if (invalid.length > 0) {
      const error = 'message carries no document uuid in "id"';
      add(counts, await failMessages(context.store, context.log, invalid.map((message) => message.msgId), { queue: Queue.VectorSync, step: Step.Read, error, maxAttempts: 1 }));
    }
    // Calls go one after another: the bus's rate limit is per account, and order helps tracing.
    for (const call of packCalls(packChanges(byId, { index: options.index }))) add(counts, await publishCall(call, context));
  }
  return { ...counts, durationMs: now() - started };
}
