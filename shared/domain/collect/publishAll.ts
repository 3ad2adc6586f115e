import type { EventPublisher, PublishableEvent } from '../../clients/eventbridge';
import { PublishFailedError } from './errors';

/**
 * Publishes the events; any that EventBridge still refused after the publisher's retries make a
 * transient PublishFailedError, so the delivery that asked for them is retried (the ledger makes
 * the repeat harmless).
 */
export async function publishAll(publisher: Pick<EventPublisher, 'publish'>, events: readonly PublishableEvent[]): Promise<void> {
  if (events.length === 0) return;
  const result = await publisher.publish(events);
  if (result.failed.length === 0) return;
  const ids = result.failed.map((failure) => failure.id);
  const first = result.failed[0];
  throw new PublishFailedError(
    `${result.failed.length} of ${events.length} event(s) were not published: ${result.failed.map((failure) => `${failure.id} (${failure.errorCode})`).join(', ')}`,
    ids,
    { cause: first?.error },
  );
}
