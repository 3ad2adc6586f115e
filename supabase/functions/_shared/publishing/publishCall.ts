import { Queue, Step } from '../constants.ts';
import { describeError } from '../errors.ts';
import { deleteHandled } from '../queue/deleteHandled.ts';
import { failMessages } from '../queue/failMessages.ts';
import type { Logger, QueueStore } from '../types.ts';
import type { EventSender, PackedChange, PublishCounts } from './types.ts';

/** What a call needs. */
export interface PublishContext {
  readonly store: QueueStore;
  readonly sender: EventSender;
  readonly log: Logger;
  readonly maxAttempts: number;
}

/**
 * One PutEvents call: the messages of accepted events are deleted, those of refused entries (or
 * of the whole call when it failed) go through retry_or_park. Never throws.
 */
export async function publishCall(call: readonly PackedChange[], context: PublishContext): Promise<Partial<PublishCounts>> {
  const { store, sender, log } = context;
  let results;
  try {
    results = await sender.send(call.map((item) => item.event));
  } catch (error) {
    const msgIds = call.flatMap((item) => item.msgIds);
    log.warn('PutEvents call failed', { events: call.length, error: describeError(error) });
    return failMessages(store, log, msgIds, { queue: Queue.VectorSync, step: Step.Publish, error: describeError(error), maxAttempts: context.maxAttempts });
  }
  const accepted: bigint[] = [];
  const counts: Partial<PublishCounts> & { retried: number; parked: number } = { published: 0, events: 0, retried: 0, parked: 0 };
  for (const [position, item] of call.entries()) {
    // Entries come back in request order; the event id is checked too.
    const entry = results.find((candidate) => candidate.eventId === item.event.id) ?? results[position];
    if (entry && entry.errorCode === '') {
      accepted.push(...item.msgIds);
      counts.published = (counts.published ?? 0) + item.event.data.changes.length;
      counts.events = (counts.events ?? 0) + 1;
      continue;
    }
    const error = entry ? `${entry.errorCode}: ${entry.errorMessage}` : 'no entry in the PutEvents answer';
    const failed = await failMessages(store, log, item.msgIds, { queue: Queue.VectorSync, step: Step.Publish, error, maxAttempts: context.maxAttempts });
    counts.retried += failed.retried;
    counts.parked += failed.parked;
  }
  await deleteHandled(store, log, Queue.VectorSync, accepted);
  return counts;
}
