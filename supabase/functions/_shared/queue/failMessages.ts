import { RetryVerdict } from '../constants.ts';
import type { Step } from '../constants.ts';
import { describeError } from '../errors.ts';
import type { Logger, QueueStore } from '../types.ts';

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
export async function failMessages(store: QueueStore, log: Logger, msgIds: readonly bigint[], options: FailOptions): Promise<{ retried: number; parked: number }> {
  let retried = 0;
  let parked = 0;
  for (const msgId of msgIds) {
    try {
      const verdict = await store.retryOrPark(options.queue, msgId, options.error, options.step, options.maxAttempts);
      if (verdict === RetryVerdict.Parked) parked += 1;
      else retried += 1;
    } catch (error) {
      retried += 1;
      log.error('retry_or_park failed', { queue: options.queue, msgId: String(msgId), error: describeError(error) });
    }
  }
  if (parked > 0 || retried > 0) log.warn('messages failed', { queue: options.queue, step: options.step, retried, parked, error: options.error });
  return { retried, parked };
}
