import { coalesceMessages } from '../coalesceMessages.ts';
import { Queue, Step } from '../constants.ts';
import type { QueueMessage } from '../types.ts';
import { deleteHandled } from '../queue/deleteHandled.ts';
import { failMessages } from '../queue/failMessages.ts';
import { emptyEmbedCounts } from './EmbedCounts.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import type { EmbedContext, EmbedWork } from './embedBatch.ts';

/** One read, settled as far as it can be without the provider. */
export interface PreparedRead {
  readonly counts: EmbedCounts;
  /** The documents that need a vector, one unit per document. */
  readonly work: EmbedWork[];
}

/**
 * The database part of one read before the provider: one unit per document, messages without a
 * uuid parked, gone documents and unchanged (or blank) content settled and their messages deleted.
 * `beforeLookup` lets the caller wait until earlier work on the same documents is written, so
 * that the lookup sees it (a document asked for again is then skipped, not embedded twice).
 */
export async function prepareEmbedRead(messages: readonly QueueMessage[], context: EmbedContext, beforeLookup?: (ids: readonly string[]) => Promise<void>): Promise<PreparedRead> {
  const { store, embedder, log } = context;
  const counts = emptyEmbedCounts();
  counts.read = messages.length;
  const { byId, invalid } = coalesceMessages(messages);
  if (invalid.length > 0) {
    const error = 'message carries no document uuid in "id"';
    const failed = await failMessages(store, log, invalid.map((message) => message.msgId), { queue: Queue.EmbeddingJobs, step: Step.Read, error, maxAttempts: 1 });
    counts.retried += failed.retried;
    counts.parked += failed.parked;
  }
  const ids = [...byId.keys()];
  await beforeLookup?.(ids);
  const sources = new Map((await store.embeddingSources(ids)).map((source) => [source.documentId, source]));
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
  return { counts, work };
}
