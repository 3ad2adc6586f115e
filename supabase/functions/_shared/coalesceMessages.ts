import { UUID_PATTERN } from './constants.ts';
import type { QueueMessage } from './types.ts';

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
    if (!UUID_PATTERN.test(id)) {
      invalid.push(message);
      continue;
    }
    const ids = byId.get(id);
    if (ids) ids.push(message.msgId);
    else byId.set(id, [message.msgId]);
  }
  return { byId, invalid };
}
