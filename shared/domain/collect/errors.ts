import { TransientError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';

/** Events EventBridge did not take after the publisher's own retries; the delivery is retried. */
export class PublishFailedError extends TransientError {
  readonly eventIds: readonly string[];

  constructor(message: string, eventIds: readonly string[], options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'PublishFailed', ...options, details: { ...options.details, eventIds } });
    this.eventIds = eventIds;
  }
}
