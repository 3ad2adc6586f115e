// publish-changes: drains the `vector_sync` outbox as claim-check batches (see ../README.md). A cycle
// moves up to PUBLISH_MAX_IDS changed ids into one change batch in the ledger (the claim and the
// delete of their messages are one transaction) and publishes one small
// `vectorsync.changes.published` that names the batch; validate opens the batch's run from the
// ledger. A publish that fails leaves the batch claimed: it goes again on a later cycle (bounded,
// with backoff) and is parked with its reason after MAX_ATTEMPTS. The event id is the batch id, so
// a second publish of one batch (or a redelivery) opens no second run.
import { packBatches } from '../../../shared/clients/eventbridge/batches.ts';
import type { ChangesPublishedData } from '../../../shared/contracts/change-events.ts';
import { EventSource, EventType } from '../../../shared/contracts/constants.ts';
import type { PublishConfig } from './config.ts';
import { errorText, QueueReadError } from './errors.ts';
import { AlicloudEventSender } from './eventSender.ts';
import type { ChangeEvent, EventSender } from './eventSender.ts';
import type { JobAnswer, Logger } from './http.ts';
import { createSql } from '../../../shared/ledger/connection.ts';
import { BatchState, QueueLedger } from '../../../shared/ledger/QueueLedger.ts';
import type { ChangeBacklog, ChangeBatch } from '../../../shared/ledger/QueueLedger.ts';

/** What one publish-changes call did: batches and the ids they hold. */
interface PublishCounts {
  /** New batches claimed from the queue, and the ids in them. */
  claimed: number;
  claimedIds: number;
  /** Batches whose event the bus accepted (new or earlier ones), and the ids in them. */
  events: number;
  published: number;
  /** Batches whose publish failed and goes again on a later cycle. */
  retried: number;
  /** Batches parked after their last publish attempt. */
  parked: number;
}

/** What a call needs. */
interface PublishContext {
  readonly ledger: QueueLedger;
  readonly sender: EventSender;
  readonly log: Logger;
  readonly maxAttempts: number;
}

/** How much one call drains and how long it may take. */
interface DrainChangesOptions {
  readonly index: string;
  readonly maxIds: number;
  /** While embeddings are pending, how long ids may wait for a fuller batch. */
  readonly maxWaitSeconds: number;
  /** How long a cycle holds a batch it claimed or took before another cycle may publish it. */
  readonly leaseSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

/** Batches an earlier cycle left unpublished, taken per loop. */
const DUE_BATCHES_PER_LOOP = 10;

const encoder = new TextEncoder();

/** The claim-check event of a batch: id = batch id, data = where the ids are and how many. */
export function changeEventOf(batch: ChangeBatch, now: Date = new Date()): ChangeEvent {
  const data: ChangesPublishedData = { batchId: batch.batchId, index: batch.logicalName, count: batch.idCount };
  return {
    id: batch.batchId,
    source: EventSource.SupabaseEdge,
    type: EventType.ChangesPublished,
    specversion: '1.0',
    datacontenttype: 'application/json',
    subject: `batches/${batch.batchId}`,
    time: now.toISOString(),
    data,
  };
}

/**
 * Publishes batches in as few PutEvents calls as the limits allow and settles each in the ledger:
 * accepted -> published; refused, or the whole call failed -> retried later or parked. Never throws
 * for a publish failure (a ledger failure does throw: the batch stays claimed and is due again
 * when its lease ends).
 */
async function publishBatches(batches: readonly ChangeBatch[], context: PublishContext, counts: PublishCounts): Promise<number> {
  const { ledger, sender, log } = context;
  const items = batches.map((batch) => {
    const event = changeEventOf(batch);
    return { batch, event, bytes: encoder.encode(JSON.stringify(event)).length };
  });
  let accepted = 0;
  for (const call of packBatches(items)) {
    let results: { eventId: string; errorCode: string; errorMessage: string }[] | undefined;
    let callError: string | undefined;
    try {
      results = await sender.send(call.map((item) => item.event));
    } catch (error) {
      callError = errorText(error);
      log.warn('PutEvents call failed', { events: call.length, error: callError });
    }
    for (const [position, item] of call.entries()) {
      const entry = results?.find((candidate) => candidate.eventId === item.event.id) ?? results?.[position];
      if (entry && entry.errorCode === '') {
        await ledger.markBatchPublished(item.batch.batchId);
        counts.events += 1;
        counts.published += item.batch.idCount;
        accepted += 1;
        continue;
      }
      const error = callError ?? (entry ? `${entry.errorCode}: ${entry.errorMessage}` : 'no entry in the PutEvents answer');
      const state = await ledger.failBatchPublish(item.batch.batchId, error, context.maxAttempts);
      if (state === BatchState.Parked) {
        counts.parked += 1;
        log.error('change batch parked after its last publish attempt', { batchId: item.batch.batchId, ids: item.batch.idCount, attempts: item.batch.publishAttempts + 1, error });
      } else if (state === BatchState.Claimed) {
        counts.retried += 1;
        log.warn('change batch publish failed; it goes again on a later cycle', { batchId: item.batch.batchId, ids: item.batch.idCount, error });
      }
    }
  }
  return accepted;
}

/**
 * Whether to claim a batch now. While a bulk load is still being embedded, a batch is claimed only
 * once it is full or its oldest change has waited `maxWaitSeconds`, so 20,000 new rows become a
 * few large runs instead of one per cycle; with no embedding pending (a trickle of edits) the
 * changes go at once, so their lag is not held back.
 */
export function claimNow(backlog: ChangeBacklog, options: { maxIds: number; maxWaitSeconds: number }): boolean {
  if (backlog.syncVisible === 0) return false;
  if (!backlog.embeddingPending) return true;
  return backlog.syncVisible >= options.maxIds || (backlog.oldestAgeSeconds ?? 0) >= options.maxWaitSeconds;
}

/**
 * One publish cycle: until the queue is empty or the time is up, publishes batches an earlier cycle
 * left unpublished and claims (then publishes) a new batch of up to `maxIds` ids when `claimNow`
 * says so. Stops early when
 * nothing it sent was accepted: the bus is down, and a later cycle retries after the backoff. A
 * failed ledger call throws QueueReadError with the counts so far.
 */
async function drainChanges(context: PublishContext, options: DrainChangesOptions): Promise<PublishCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts: PublishCounts = { claimed: 0, claimedIds: 0, events: 0, published: 0, retried: 0, parked: 0 };
  try {
    while (now() - started < options.budgetMs) {
      const due = await context.ledger.batchesToPublish(options.index, options.leaseSeconds, DUE_BATCHES_PER_LOOP);
      const backlog = await context.ledger.changeBacklog(options.maxIds);
      const claimed = claimNow(backlog, options) ? await context.ledger.claimChangeBatch(options.index, options.maxIds, options.leaseSeconds) : undefined;
      if (!claimed && backlog.syncVisible > 0 && due.length === 0) context.log.info('changes held for a fuller batch while embeddings are pending', { waiting: backlog.syncVisible, oldestSeconds: backlog.oldestAgeSeconds });
      if (claimed) {
        counts.claimed += 1;
        counts.claimedIds += claimed.idCount;
        context.log.info('change batch claimed', { batchId: claimed.batchId, ids: claimed.idCount });
      }
      const batches = claimed ? [...due, claimed] : due;
      if (batches.length === 0) break;
      const accepted = await publishBatches(batches, context, counts);
      if (accepted === 0) break;
    }
  } catch (cause) {
    const error = new QueueReadError('vector_sync', cause);
    error.counts = { ...counts, durationMs: now() - started };
    throw error;
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
      { index: config.VECTOR_INDEX, maxIds: config.PUBLISH_MAX_IDS, maxWaitSeconds: config.PUBLISH_MAX_WAIT_SECONDS, leaseSeconds: config.PUBLISH_VT_SECONDS, budgetMs: config.TIME_BUDGET_MS },
    );
    const status = counts.retried + counts.parked > 0 ? 207 : 200;
    return { status, body: { bus: config.EVENT_BUS_NAME, index: config.VECTOR_INDEX, ...counts } };
  };
}
