// publish-changes: drains the `vector_sync` outbox into `vectorsync.changes.published` events on the
// bus, packed and settled per PutEvents call (see ../README.md). The event is the contract's
// (shared/contracts); the call limits and packing are shared/clients/eventbridge/batches.ts's.
import { packBatches } from '../../../shared/clients/eventbridge/batches.ts';
import type { ChangesPublishedData } from '../../../shared/contracts/change-events.ts';
import { EventSource, EventType, Limits } from '../../../shared/contracts/constants.ts';
import type { PublishConfig } from './config.ts';
import { errorText, QueueReadError } from './errors.ts';
import { AlicloudEventSender } from './eventSender.ts';
import type { ChangeEvent, EventSender } from './eventSender.ts';
import type { JobAnswer, Logger } from './http.ts';
import { createSql } from '../../../shared/ledger/connection.ts';
import { Queue, QueueLedger, Step } from '../../../shared/ledger/QueueLedger.ts';
import type { QueueMessage } from '../../../shared/ledger/QueueLedger.ts';
import { coalesceMessages, deleteHandled, failMessages, parkInvalid } from './queue.ts';

/** What one publish-changes call did. Messages for read/retried/parked, ids for published. */
interface PublishCounts {
  read: number;
  published: number;
  events: number;
  retried: number;
  parked: number;
}

/** An event with the queue messages it settles. */
interface PackedChange {
  readonly event: ChangeEvent;
  readonly msgIds: readonly bigint[];
  /** Size of the event as JSON, for the per-request byte limit. */
  readonly bytes: number;
}

/** What a call needs. */
interface PublishContext {
  readonly ledger: QueueLedger;
  readonly sender: EventSender;
  readonly log: Logger;
  readonly maxAttempts: number;
}

/** Settings of the packing. */
interface PackOptions {
  readonly index: string;
  readonly maxIds?: number;
  readonly newId?: () => string;
  readonly now?: () => Date;
}

/** How long and how much one call drains. */
interface DrainChangesOptions {
  readonly index: string;
  readonly batch: number;
  readonly vtSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

const encoder = new TextEncoder();

function add(into: PublishCounts, more: Partial<PublishCounts>): void {
  for (const key of Object.keys(more) as (keyof PublishCounts)[]) into[key] += more[key] ?? 0;
}

/**
 * Packs coalesced document ids into `vectorsync.changes.published` events of at most
 * Limits.maxIdsPerEvent ids; each event keeps the msg_ids of its ids, so only the messages of
 * accepted events are deleted.
 */
function packChanges(byId: ReadonlyMap<string, readonly bigint[]>, options: PackOptions): PackedChange[] {
  const maxIds = options.maxIds ?? Limits.maxIdsPerEvent;
  const newId = options.newId ?? (() => crypto.randomUUID());
  const now = options.now ?? (() => new Date());
  const entries = [...byId.entries()];
  const packed: PackedChange[] = [];
  for (let start = 0; start < entries.length; start += maxIds) {
    const slice = entries.slice(start, start + maxIds);
    const id = newId();
    const data: ChangesPublishedData = { batchId: id, index: options.index, changes: slice.map(([documentId]) => ({ id: documentId })) };
    const event: ChangeEvent = {
      id,
      source: EventSource.SupabaseEdge,
      type: EventType.ChangesPublished,
      specversion: '1.0',
      datacontenttype: 'application/json',
      time: now().toISOString(),
      data,
    };
    packed.push({ event, msgIds: slice.flatMap(([, msgIds]) => msgIds), bytes: encoder.encode(JSON.stringify(event)).length });
  }
  return packed;
}

/**
 * One PutEvents call: the messages of accepted events are deleted, those of refused entries (or
 * of the whole call when it failed) go through retry_or_park. Never throws.
 */
async function publishCall(call: readonly PackedChange[], context: PublishContext): Promise<Partial<PublishCounts>> {
  const { ledger, sender, log } = context;
  let results;
  try {
    results = await sender.send(call.map((item) => item.event));
  } catch (error) {
    const msgIds = call.flatMap((item) => item.msgIds);
    log.warn('PutEvents call failed', { events: call.length, error: errorText(error) });
    return failMessages(ledger, log, msgIds, { queue: Queue.VectorSync, step: Step.Publish, error: errorText(error), maxAttempts: context.maxAttempts });
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
    const failed = await failMessages(ledger, log, item.msgIds, { queue: Queue.VectorSync, step: Step.Publish, error, maxAttempts: context.maxAttempts });
    counts.retried += failed.retried;
    counts.parked += failed.parked;
  }
  await deleteHandled(ledger, log, Queue.VectorSync, accepted);
  return counts;
}

/**
 * Reads `vector_sync` until empty or out of time, coalesces ids per read, and publishes them as
 * change events. A failed read throws QueueReadError with the counts so far.
 */
async function drainChanges(context: PublishContext, options: DrainChangesOptions): Promise<PublishCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts: PublishCounts = { read: 0, published: 0, events: 0, retried: 0, parked: 0 };
  while (now() - started < options.budgetMs) {
    let messages: QueueMessage[];
    try {
      messages = await context.ledger.readQueue(Queue.VectorSync, options.vtSeconds, options.batch);
    } catch (cause) {
      const error = new QueueReadError(Queue.VectorSync, cause);
      error.counts = { ...counts, durationMs: now() - started };
      throw error;
    }
    if (messages.length === 0) break;
    counts.read += messages.length;
    const { byId, invalid } = coalesceMessages(messages);
    if (invalid.length > 0) add(counts, await parkInvalid(context.ledger, context.log, Queue.VectorSync, invalid));
    // Calls go one after another: the bus's rate limit is per account, and order helps tracing.
    for (const call of packBatches(packChanges(byId, { index: options.index }))) add(counts, await publishCall(call, context));
  }
  return { ...counts, durationMs: now() - started };
}

/** The publish-changes run; the pool and the SDK client live as long as the instance. */
export function createPublishRun(): (config: PublishConfig, log: Logger) => Promise<JobAnswer> {
  let ledger: QueueLedger | undefined;
  let sender: AlicloudEventSender | undefined;
  return async function runPublishChanges(config, log) {
    ledger ??= new QueueLedger(createSql(config.SUPABASE_DB_URL), { baseSeconds: config.RETRY_BASE_DELAY_SECONDS, maxSeconds: config.RETRY_MAX_DELAY_SECONDS });
    sender ??= await AlicloudEventSender.create(config);
    const counts = await drainChanges(
      { ledger, sender, log, maxAttempts: config.MAX_ATTEMPTS },
      { index: config.VECTOR_INDEX, batch: config.PUBLISH_BATCH, vtSeconds: config.PUBLISH_VT_SECONDS, budgetMs: config.TIME_BUDGET_MS },
    );
    const status = counts.retried + counts.parked > 0 ? 207 : 200;
    return { status, body: { bus: config.EVENT_BUS_NAME, index: config.VECTOR_INDEX, ...counts } };
  };
}
