import { setTimeout as sleepFor } from 'node:timers/promises';
import { VectorSyncError } from '../../errors';
import { computeDelay } from '../../retry';
import type { BackoffOptions } from '../../retry';
import { PERMANENT_ENTRY_CODES, PublishRetryDefaults } from './constants';
import { classifyRequestError } from './classifyRequestError';
import { EventEntryError, InvalidEventError, PermanentEventEntryError } from './errors';
import { packBatches } from './packBatches';
import { prepareEvent } from './prepareEvent';
import type { PreparedEvent } from './prepareEvent';
import type { EventBridgeSdkClient } from './sdk';
import type { PublishableEvent, PublishOutcome, PublishResult } from './types';

/** Settings of a publisher. */
export interface EventPublisherOptions extends Partial<BackoffOptions> {
  /** The bus every event goes to, e.g. `vector-sync`. */
  readonly busName: string;
  /** Total attempts per event, including the first. */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => Date;
}

type Pending = { readonly event: PreparedEvent; readonly index: number };
type Failure = { readonly pending: Pending; readonly error: VectorSyncError; readonly retry: boolean };

/**
 * Publishes CloudEvents to one bus with `@alicloud/eventbridge`: packs calls within the PutEvents
 * limits, resends only what failed (whole calls on throttling/5xx/network, single entries on a
 * partial failure) with capped, jittered backoff, and reports an outcome per event.
 */
export class EventPublisher {
  private readonly backoff: BackoffOptions;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly client: EventBridgeSdkClient, private readonly options: EventPublisherOptions) {
    this.backoff = {
      baseDelayMs: options.baseDelayMs ?? PublishRetryDefaults.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? PublishRetryDefaults.maxDelayMs,
      jitter: options.jitter ?? PublishRetryDefaults.jitter,
    };
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PublishRetryDefaults.maxAttempts);
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms).then(() => undefined));
  }

  /** Publishes the events; never throws for a failed event, which is reported in its outcome. */
  async publish(events: readonly PublishableEvent[]): Promise<PublishResult> {
    const outcomes: PublishOutcome[] = new Array<PublishOutcome>(events.length);
    let pending: Pending[] = [];
    events.forEach((event, index) => {
      try {
        pending.push({ event: prepareEvent(event, this.options.busName, this.options.now), index });
      } catch (error) {
        const refused = error instanceof VectorSyncError ? error : new InvalidEventError(`event ${event.id ?? '(no id)'} is not JSON-serialisable`, { cause: error });
        outcomes[index] = failedOutcome(event.id ?? '', refused, 0);
      }
    });
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > 1) await this.sleep(computeDelay(attempt - 1, this.backoff, undefined, undefined, this.options.random));
      const failures = await this.sendAll(pending, attempt, outcomes);
      const last = attempt >= this.maxAttempts;
      for (const failure of failures) {
        if (!failure.retry || last) outcomes[failure.pending.index] = failedOutcome(failure.pending.event.id, failure.error, attempt);
      }
      pending = last ? [] : failures.filter((failure) => failure.retry).map((failure) => failure.pending);
    }
    const failed = outcomes.filter((outcome): outcome is Extract<PublishOutcome, { status: 'failed' }> => outcome.status === 'failed');
    const acceptedIds = outcomes.filter((outcome) => outcome.status === 'accepted').map((outcome) => outcome.id);
    return { outcomes, acceptedIds, failed };
  }

  private async sendAll(pending: readonly Pending[], attempt: number, outcomes: PublishOutcome[]): Promise<Failure[]> {
    const failures: Failure[] = [];
    for (const batch of packBatches(pending.map((item) => ({ ...item, bytes: item.event.bytes })))) {
      failures.push(...(await this.sendBatch(batch, attempt, outcomes)));
    }
    return failures;
  }

  private async sendBatch(batch: readonly Pending[], attempt: number, outcomes: PublishOutcome[]): Promise<Failure[]> {
    let response;
    try {
      response = await this.client.putEvents(batch.map((item) => item.event.model));
    } catch (caught) {
      const error = classifyRequestError(caught, 'PutEvents');
      return batch.map((pending) => ({ pending, error, retry: error.transient }));
    }
    const entries = response.entryList ?? [];
    const failures: Failure[] = [];
    batch.forEach((pending, position) => {
      // Entries come back in request order; the event id is checked too, in case a bus reorders.
      const entry = entries.find((candidate) => candidate.eventId === pending.event.id) ?? entries[position];
      const code = entry?.errorCode ?? '';
      if (code === '') {
        outcomes[pending.index] = { id: pending.event.id, status: 'accepted', attempts: attempt, ...(entry?.traceId ? { traceId: entry.traceId } : {}) };
        return;
      }
      const message = entry?.errorMessage ?? '';
      const permanent = PERMANENT_ENTRY_CODES.has(code);
      const error = permanent ? new PermanentEventEntryError(pending.event.id, code, message) : new EventEntryError(pending.event.id, code, message);
      failures.push({ pending, error, retry: !permanent });
    });
    return failures;
  }
}

function failedOutcome(id: string, error: VectorSyncError, attempts: number): PublishOutcome {
  return { id, status: 'failed', errorCode: error.code, errorMessage: error.message, error, attempts };
}
