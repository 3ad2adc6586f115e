import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { VectorSyncError } from '../../errors';
import { credentialsOf, memo } from '../../fc';
import type { FcContext } from '../../fc';
import { computeDelay } from '../../retry';
import type { BackoffOptions } from '../../retry';
import { PutEventsLimits, packBatches } from './batches';
import { EventEntryError, EventTooLargeError, InvalidEventError, PermanentEventEntryError, classifyRequestError } from './errors';
import { CloudEvent, createEventBridgeClient } from './sdk';
import type { EventBridgeSdkClient } from './sdk';

/** The publisher's default retry settings for throttling, 5xx, dropped connections and failed entries. */
const PublishRetryDefaults = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  jitter: 'full',
} as const;

/** Entry error codes that will fail again on a resend; every other entry error is resent. */
const PERMANENT_ENTRY_CODES: ReadonlySet<string> = new Set(['EventTooLarge', 'InvalidArgument', 'EventBusNotExist']);

/** Where the SDK's generic JSON content type starts; data in any other type travels as base64. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** An event to publish; the publisher fills in id, time and the bus. */
export interface PublishableEvent {
  /** Stable id, e.g. derived from the source record, so a resend is recognisably the same event. */
  readonly id?: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time?: string;
  readonly data: unknown;
}

/** What happened to one event; callers acknowledge only `accepted` ones. */
export type PublishOutcome =
  | { readonly id: string; readonly status: 'accepted'; readonly traceId?: string; readonly attempts: number }
  | {
      readonly id: string;
      readonly status: 'failed';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly error: VectorSyncError;
      readonly attempts: number;
    };

/** The outcome of a publish call, in the order the events were given. */
export interface PublishResult {
  readonly outcomes: readonly PublishOutcome[];
  readonly acceptedIds: readonly string[];
  readonly failed: readonly Extract<PublishOutcome, { status: 'failed' }>[];
}

/** An event ready for the SDK, with the size it will have on the wire. */
export interface PreparedEvent {
  readonly id: string;
  readonly model: CloudEvent;
  readonly bytes: number;
}

/**
 * Builds the SDK CloudEvent for a bus (the bus name travels as the `aliyuneventbusname`
 * extension) and measures it as the SDK will serialise it; refuses an event over 64 KB.
 */
export function prepareEvent(event: PublishableEvent, busName: string, now: () => Date = () => new Date()): PreparedEvent {
  const id = event.id ?? randomUUID();
  const time = event.time ?? now().toISOString();
  const json = JSON.stringify(event.data ?? null);
  const wire = {
    id,
    source: event.source,
    specversion: '1.0',
    type: event.type,
    datacontenttype: JSON_CONTENT_TYPE,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    time,
    aliyuneventbusname: busName,
    data: JSON.parse(json) as unknown,
  };
  const bytes = Buffer.byteLength(JSON.stringify(wire));
  if (bytes > PutEventsLimits.maxEventBytes) throw new EventTooLargeError(id, bytes, PutEventsLimits.maxEventBytes);
  const model = new CloudEvent({
    id,
    source: event.source,
    type: event.type,
    specversion: '1.0',
    datacontenttype: JSON_CONTENT_TYPE,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    time,
    extensions: { aliyuneventbusname: busName },
    data: Buffer.from(json),
  });
  return { id, model, bytes };
}

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

interface PublisherInput {
  readonly endpoint: string;
  readonly busName: string;
  readonly regionId: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

// FC keeps the instance between calls: the publisher is rebuilt only when its address or keys change.
const cachedPublisher = memo(
  (input: PublisherInput) => [input.endpoint, input.busName, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: PublisherInput) => new EventPublisher(createEventBridgeClient({ endpoint: input.endpoint, regionId: input.regionId, ...input.keys }), { busName: input.busName }),
);

/** The publisher to the project's bus, signed with the function role's keys. */
export function publisherFor(config: { EVENTBRIDGE_ENDPOINT: string; EVENT_BUS_NAME: string }, context: FcContext): EventPublisher {
  return cachedPublisher({ endpoint: config.EVENTBRIDGE_ENDPOINT, busName: config.EVENT_BUS_NAME, regionId: context.region, keys: credentialsOf(context) });
}
