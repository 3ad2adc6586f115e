// The pgmq queues the functions drain and how their messages are settled: grouped per document,
// deleted once handled, or sent through vector_sync.retry_or_park when they failed.
import { isUuid } from '../../../shared/contracts/identifiers.ts';
import { errorText } from './errors.ts';
import type { Logger } from './http.ts';
import { RetryVerdict, Step } from '../../../shared/ledger/QueueLedger.ts';
import type { QueueLedger, QueueMessage } from '../../../shared/ledger/QueueLedger.ts';

/** The messages of one read grouped per document: one unit of work, every msg_id kept for the delete. */
export interface CoalescedMessages {
  /** Document id (lower-case uuid) -> the msg_ids that named it, in read order. */
  readonly byId: Map<string, bigint[]>;
  /** Messages whose id is not a uuid: they can never succeed. */
  readonly invalid: QueueMessage[];
}

/** Groups a read by document id, so a document edited five times is handled once. */
export function coalesceMessages(messages: readonly QueueMessage[]): CoalescedMessages {
  const byId = new Map<string, bigint[]>();
  const invalid: QueueMessage[] = [];
  for (const message of messages) {
    const id = message.documentId?.trim().toLowerCase() ?? '';
    if (!isUuid(id)) {
      invalid.push(message);
      continue;
    }
    const ids = byId.get(id);
    if (ids) ids.push(message.msgId);
    else byId.set(id, [message.msgId]);
  }
  return { byId, invalid };
}

/**
 * Deletes handled messages. A failed delete is logged, not thrown: the messages come back after
 * their visibility timeout and are then recognised as done (skipped), so nothing is lost.
 */
export async function deleteHandled(ledger: QueueLedger, log: Logger, queue: string, msgIds: readonly bigint[]): Promise<void> {
  if (msgIds.length === 0) return;
  try {
    await ledger.deleteMessages(queue, msgIds);
  } catch (error) {
    log.error('delete_messages failed', { queue, count: msgIds.length, error: errorText(error) });
  }
}

/** How a failure is settled for a set of messages. */
export interface FailOptions {
  readonly queue: string;
  readonly step: Step;
  readonly error: string;
  /** MAX_ATTEMPTS for a transient error; 1 parks at once (the error will not go away). */
  readonly maxAttempts: number;
}

/**
 * Sends each message through `vector_sync.retry_or_park`. When that call itself fails, the message
 * stays invisible until its visibility timeout and is read again: counted as retried.
 */
export async function failMessages(ledger: QueueLedger, log: Logger, msgIds: readonly bigint[], options: FailOptions): Promise<{ retried: number; parked: number }> {
  let retried = 0;
  let parked = 0;
  for (const msgId of msgIds) {
    try {
      const verdict = await ledger.retryOrPark(options.queue, msgId, options.error, options.step, options.maxAttempts);
      if (verdict === RetryVerdict.Parked) parked += 1;
      else retried += 1;
    } catch (error) {
      retried += 1;
      log.error('retry_or_park failed', { queue: options.queue, msgId: String(msgId), error: errorText(error) });
    }
  }
  if (parked > 0 || retried > 0) log.warn('messages failed', { queue: options.queue, step: options.step, retried, parked, error: options.error });
  return { retried, parked };
}

/** Parks messages without a document uuid at once (step `read`): no retry can fix them. */
export function parkInvalid(ledger: QueueLedger, log: Logger, queue: string, invalid: readonly QueueMessage[]): Promise<{ retried: number; parked: number }> {
  const msgIds = invalid.map((message) => message.msgId);
  return failMessages(ledger, log, msgIds, { queue, step: Step.Read, error: 'message carries no document uuid in "id"', maxAttempts: 1 });
}
