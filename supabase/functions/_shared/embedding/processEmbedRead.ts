import { chunk } from '../chunk.ts';
import { coalesceMessages } from '../coalesceMessages.ts';
import { Queue, Step } from '../constants.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import type { QueueMessage } from '../types.ts';
import { deleteHandled } from '../queue/deleteHandled.ts';
import { addEmbedCounts, emptyEmbedCounts } from './EmbedCounts.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import { embedBatch } from './embedBatch.ts';
import type { EmbedContext, EmbedWork } from './embedBatch.ts';
import { failMessages } from '../queue/failMessages.ts';

/** Batch shape towards the provider. */
export interface EmbedShape {
  readonly batchSize: number;
  readonly concurrency: number;
}

/**
 * Handles the messages of one read: one unit per document, gone documents and unchanged content
 * settled without the provider, the rest embedded in batches with bounded concurrency.
 */
export async function processEmbedRead(messages: readonly QueueMessage[], context: EmbedContext, shape: EmbedShape): Promise<EmbedCounts> {
  const { store, embedder, log } = context;
  const counts = emptyEmbedCounts();
  counts.read = messages.length;
  const { byId, invalid } = coalesceMessages(messages);
  if (invalid.length > 0) {
    const error = 'message carries no document uuid in "id"';
    addEmbedCounts(counts, await failMessages(store, log, invalid.map((message) => message.msgId), { queue: Queue.EmbeddingJobs, step: Step.Read, error, maxAttempts: 1 }));
  }
  const sources = new Map((await store.embeddingSources([...byId.keys()])).map((source) => [source.documentId, source]));
  const done: bigint[] = [];
  const work: EmbedWork[] = [];
  for (const [id, msgIds] of byId) {
    const source = sources.get(id);
    if (!source) {
      counts.missing += 1;
      done.push(...msgIds);
    } else if (source.content.trim() === '' || (source.embeddedHash === source.contentHash && source.embeddedModel === embedder.model)) {
      counts.skipped += 1;
      done.push(...msgIds);
    } else {
      work.push({ source, msgIds });
    }
  }
  await deleteHandled(store, log, Queue.EmbeddingJobs, done);
  const results = await mapWithConcurrency(chunk(work, shape.batchSize), shape.concurrency, (batch) => embedBatch(batch, context));
  for (const result of results) addEmbedCounts(counts, result);
  return counts;
}
