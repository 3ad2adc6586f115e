import { describeError } from '../errors.ts';
import type { Logger, QueueStore } from '../types.ts';

/**
 * Deletes handled messages. A failed delete is logged, not thrown: the messages come back after
 * their visibility timeout and are then recognised as done (skipped), so nothing is lost.
 */
export async function deleteHandled(store: QueueStore, log: Logger, queue: string, msgIds: readonly bigint[]): Promise<void> {
  if (msgIds.length === 0) return;
  try {
    await store.deleteMessages(queue, msgIds);
  } catch (error) {
    log.error('delete_messages failed', { queue, count: msgIds.length, error: describeError(error) });
  }
}
