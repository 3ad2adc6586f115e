// embed-documents: drains `embedding_jobs` into `public.document_embeddings`, reading ahead while
// earlier batches are at the provider (see ../README.md).
import type { EmbedConfig } from './config.ts';
import { createEmbedder } from './embedders.ts';
import type { Embedder } from './embedders.ts';
import { addEmbedCounts, EmbedPipeline, emptyEmbedCounts } from './embedPipeline.ts';
import type { EmbedContext, EmbedCounts, EmbedShape, EmbedWork } from './embedPipeline.ts';
import { DimensionMismatchError, QueueReadError } from './errors.ts';
import type { JobAnswer, Logger } from './http.ts';
import { createSql } from '../../../shared/ledger/connection.ts';
import { Queue, QueueLedger, Step } from '../../../shared/ledger/QueueLedger.ts';
import type { QueueMessage } from '../../../shared/ledger/QueueLedger.ts';
import { MAX_PASSAGES, planPassages } from './passagePlan.ts';
import { coalesceMessages, deleteHandled, failMessages, parkInvalid } from './queue.ts';
import { passageSettings } from '../../../shared/passages.ts';
import type { SplitSettings } from '../../../shared/passages.ts';

/** One read, settled as far as it can be without the provider. */
interface PreparedRead {
  readonly counts: EmbedCounts;
  /** The documents that need vectors, one unit per document with its passages. */
  readonly work: EmbedWork[];
}

/** How embed-documents cuts documents into passages (see docs/supabase.md, "Passages"). */
export function splitSettingsOf(config: Pick<EmbedConfig, 'PASSAGE_TOKENS' | 'PASSAGE_OVERLAP_TOKENS' | 'PASSAGE_CHARS_PER_TOKEN'>): SplitSettings {
  return passageSettings(config.PASSAGE_TOKENS, config.PASSAGE_OVERLAP_TOKENS, config.PASSAGE_CHARS_PER_TOKEN);
}

/**
 * The database part of one read before the provider: one unit per document, cut into passages;
 * messages without a uuid parked, and so are those of a document of more than MAX_PASSAGES
 * passages (it will not fit until it is edited); gone documents and current (or blank) content
 * settled and their messages deleted.
 * `beforeLookup` lets the caller wait until earlier work on the same documents is written, so
 * that the lookup sees it (a document asked for again is then skipped, not embedded twice).
 */
async function prepareEmbedRead(messages: readonly QueueMessage[], context: EmbedContext & { readonly split: SplitSettings }, beforeLookup?: (ids: readonly string[]) => Promise<void>): Promise<PreparedRead> {
  const { ledger, embedder, log } = context;
  const counts = emptyEmbedCounts();
  counts.read = messages.length;
  const { byId, invalid } = coalesceMessages(messages);
  if (invalid.length > 0) {
    const failed = await parkInvalid(ledger, log, Queue.EmbeddingJobs, invalid);
    counts.retried += failed.retried;
    counts.parked += failed.parked;
  }
  const ids = [...byId.keys()];
  await beforeLookup?.(ids);
  const sources = new Map((await ledger.embeddingSources(ids)).map((source) => [source.documentId, source]));
  const done: bigint[] = [];
  const work: EmbedWork[] = [];
  for (const [id, msgIds] of byId) {
    const source = sources.get(id);
    if (!source) {
      counts.missing += 1;
      done.push(...msgIds);
      continue;
    }
    const plan = source.content.trim() === '' ? { kind: 'current' as const } : await planPassages(source, context.split, embedder.model);
    if (plan.kind === 'current') {
      counts.skipped += 1;
      done.push(...msgIds);
    } else if (plan.kind === 'tooLong') {
      const error = `DocumentTooLong: ${plan.passages} passages, at most ${MAX_PASSAGES}`;
      const failed = await failMessages(ledger, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Embed, error, maxAttempts: 1 });
      counts.retried += failed.retried;
      counts.parked += failed.parked;
    } else {
      work.push({ source, msgIds, passages: plan.passages });
    }
  }
  await deleteHandled(ledger, log, Queue.EmbeddingJobs, done);
  return { counts, work };
}

/** How long and how much one call drains. */
interface DrainOptions extends EmbedShape {
  readonly queueBatch: number;
  readonly vtSeconds: number;
  readonly budgetMs: number;
  readonly now?: () => number;
}

/** A read and its lookup, under way; `idle` when nothing else was in flight as it was issued. */
interface PendingRead {
  readonly result: Promise<ReadResult>;
  readonly idle: boolean;
}

type ReadResult =
  | { readonly kind: 'prepared'; readonly size: number; readonly prepared: PreparedRead }
  | { readonly kind: 'empty' }
  | { readonly kind: 'readFailed'; readonly cause: unknown }
  | { readonly kind: 'prepareFailed'; readonly cause: unknown };

/**
 * Reads `embedding_jobs` again and again until a read comes back empty or the time budget is
 * spent, keeping the provider busy: while one full read's batches are at the provider, the next
 * read is already fetched and looked up (at most one read ahead), and the vectors are written by
 * the pipeline's writer lane (see EmbedPipeline). The run ends only on an empty read issued when
 * nothing was in flight, so a job enqueued by an edit during the run is still picked up, as when
 * reads were strictly one after another. A failed read waits for the work in flight, then throws
 * QueueReadError carrying the counts so far: never a silent success.
 */
async function drainEmbeddingJobs(context: EmbedContext & { readonly split: SplitSettings }, options: DrainOptions): Promise<EmbedCounts & { durationMs: number }> {
  const now = options.now ?? Date.now;
  const started = now();
  const counts = emptyEmbedCounts();
  const pipeline = new EmbedPipeline(context, options, counts);
  const fetchRead = async (): Promise<ReadResult> => {
    let messages: QueueMessage[];
    try {
      messages = await context.ledger.readQueue(Queue.EmbeddingJobs, options.vtSeconds, options.queueBatch);
    } catch (cause) {
      return { kind: 'readFailed', cause };
    }
    if (messages.length === 0) return { kind: 'empty' };
    try {
      // Waits for earlier batches of the same documents, so a repeated job is seen as done.
      return { kind: 'prepared', size: messages.length, prepared: await prepareEmbedRead(messages, context, (ids) => pipeline.settledFor(ids)) };
    } catch (cause) {
      return { kind: 'prepareFailed', cause };
    }
  };
  const read = (idle: boolean): PendingRead | undefined => (now() - started < options.budgetMs ? { result: fetchRead(), idle } : undefined);
  let next = read(true);
  while (next) {
    const outcome = await next.result;
    if (outcome.kind === 'readFailed') {
      await pipeline.idle();
      const error = new QueueReadError(Queue.EmbeddingJobs, outcome.cause);
      error.counts = { ...counts, durationMs: now() - started };
      throw error;
    }
    if (outcome.kind === 'prepareFailed') {
      await pipeline.idle();
      throw outcome.cause;
    }
    if (outcome.kind === 'empty') {
      if (next.idle) break;
      // Read while work was in flight: read once more when it is all written.
      await pipeline.idle();
      next = read(true);
      continue;
    }
    const { prepared, size } = outcome;
    addEmbedCounts(counts, prepared.counts);
    // dispatch() registers the batches as in flight before its first await, so the read ahead
    // below sees them. A full read says more is waiting: fetch and look it up while this one is at
    // the provider. A short one says the queue was drained: read again once this work is written.
    const full = size >= options.queueBatch;
    const dispatching = pipeline.dispatch(prepared.work);
    next = full ? read(prepared.work.length === 0 && !pipeline.busy) : undefined;
    await dispatching;
    if (!full) {
      await pipeline.idle();
      next = read(true);
    }
  }
  await pipeline.idle();
  return { ...counts, durationMs: now() - started };
}

/**
 * The embed-documents run. The database pool, the embedder (a loaded model for gte-small) and the
 * checked column dimension live as long as the instance; a mismatch is checked again on every
 * call until it passes, so a fixed deployment recovers without a restart.
 */
export function createEmbedRun(): (config: EmbedConfig, log: Logger) => Promise<JobAnswer> {
  let ledger: QueueLedger | undefined;
  let embedder: Embedder | undefined;
  let checked = false;
  return async function runEmbedDocuments(config, log) {
    ledger ??= new QueueLedger(createSql(config.SUPABASE_DB_URL), { baseSeconds: config.RETRY_BASE_DELAY_SECONDS, maxSeconds: config.RETRY_MAX_DELAY_SECONDS });
    embedder ??= createEmbedder(config);
    if (!checked) {
      const column = await ledger.embeddingColumnDimension();
      if (column !== embedder.dimension) throw new DimensionMismatchError(column, embedder.dimension, embedder.model);
      checked = true;
    }
    const counts = await drainEmbeddingJobs(
      { ledger, embedder, log, maxAttempts: config.MAX_ATTEMPTS, batchSize: config.EMBED_BATCH_SIZE, split: splitSettingsOf(config) },
      { queueBatch: config.QUEUE_BATCH, vtSeconds: config.QUEUE_VT_SECONDS, budgetMs: config.TIME_BUDGET_MS, batchSize: config.EMBED_BATCH_SIZE, concurrency: config.EMBED_CONCURRENCY },
    );
    // Partial failure is not success: 207 says some messages will come back or were parked.
    const status = counts.retried + counts.parked > 0 ? 207 : 200;
    return { status, body: { model: embedder.model, ...counts } };
  };
}
