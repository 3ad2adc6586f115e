// The provider and writer stages of embed-documents: batches go to the embedder with bounded
// concurrency, and their vectors are written (compare-and-set) on one serial lane.
import type { Embedder } from './embedders.ts';
import { EdgeFunctionError, errorText } from './errors.ts';
import type { Logger } from './http.ts';
import { Queue, Step } from '../../../shared/ledger/QueueLedger.ts';
import type { EmbeddingSource, EmbeddingWrite, QueueLedger } from '../../../shared/ledger/QueueLedger.ts';
import { batchByPassages, toEmbed } from './passagePlan.ts';
import type { PlannedPassage } from './passagePlan.ts';
import { deleteHandled, failMessages } from './queue.ts';

/** What one embed-documents call did. Messages for `read`, `retried`, `parked`; passages for `passages` and `reused`; documents otherwise. */
export interface EmbedCounts {
  read: number;
  embedded: number;
  /** Passages the provider embedded (of the documents written or refused as stale). */
  passages: number;
  /** Passages whose text the sidecar held already: written with the vector it had, no provider call. */
  reused: number;
  /** Content and model already match the sidecar (or the content is blank): nothing to do. */
  skipped: number;
  /** The content changed while it was being embedded: the write was refused, a newer job exists. */
  stale: number;
  /** The document is gone. */
  missing: number;
  retried: number;
  parked: number;
}

/** Counts at zero. */
export function emptyEmbedCounts(): EmbedCounts {
  return { read: 0, embedded: 0, passages: 0, reused: 0, skipped: 0, stale: 0, missing: 0, retried: 0, parked: 0 };
}

/** Adds `more` into `into`. */
export function addEmbedCounts(into: EmbedCounts, more: Partial<EmbedCounts>): void {
  for (const key of Object.keys(more) as (keyof EmbedCounts)[]) into[key] += more[key] ?? 0;
}

/** Consecutive slices of at most `size` items, order kept. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}

/** A counting semaphore: at most `permits` holders at once; waiters are served first come, first served. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];
  private available: number;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError(`permits must be a positive integer, got ${permits}`);
    this.available = permits;
  }

  /** Resolves once a permit is held; give it back with `release`. */
  acquire(): Promise<void> {
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available += 1;
  }
}

/** One document to embed with every message that asked for it, and its passages. */
export interface EmbedWork {
  readonly source: EmbeddingSource;
  readonly msgIds: readonly bigint[];
  readonly passages: readonly PlannedPassage[];
}

/** What a batch needs. */
export interface EmbedContext {
  readonly ledger: QueueLedger;
  readonly embedder: Embedder;
  readonly log: Logger;
  readonly maxAttempts: number;
  /** Most texts in one provider call (EMBED_BATCH_SIZE). */
  readonly batchSize: number;
}

/** What the provider answered for (part of) a batch; settled later against the database. */
type EmbedOutcome =
  | { readonly kind: 'embedded'; readonly work: readonly EmbedWork[]; readonly writes: readonly EmbeddingWrite[] }
  | { readonly kind: 'failed'; readonly work: readonly EmbedWork[]; readonly permanent: boolean; readonly error: string };

/**
 * The provider half of a batch: calls the embedder only, never the database, and never throws. A
 * transient provider error fails the whole batch; a permanent one is narrowed down by halving the
 * batch so that only the input that cannot be embedded fails.
 */
async function embedBatch(work: readonly EmbedWork[], context: Pick<EmbedContext, 'embedder' | 'log' | 'batchSize'>): Promise<EmbedOutcome[]> {
  const { embedder, log, batchSize } = context;
  try {
    const texts = work.flatMap((item) => toEmbed(item).map((passage) => passage.text));
    const vectors: number[][] = [];
    // One call for a usual batch; a document longer than the batch size goes in slices.
    for (const slice of chunk(texts, batchSize)) vectors.push(...(await embedder.embed(slice)));
    let next = 0;
    const writes = work.map((item): EmbeddingWrite => ({
      documentId: item.source.documentId,
      contentHash: item.source.contentHash,
      passages: item.passages.map((passage) => ({ ...passage.write, embedding: passage.reuse ? null : (vectors[next++] ?? []) })),
    }));
    return [{ kind: 'embedded', work, writes }];
  } catch (error) {
    const permanent = error instanceof EdgeFunctionError && !error.transient;
    if (permanent && work.length > 1) {
      const half = Math.ceil(work.length / 2);
      return [...(await embedBatch(work.slice(0, half), context)), ...(await embedBatch(work.slice(half), context))];
    }
    const documents = work.map((item) => item.source.documentId);
    log.warn('embedding failed', { documents, permanent, error: errorText(error) });
    return [{ kind: 'failed', work, permanent, error: errorText(error) }];
  }
}

/**
 * The database half of a batch: writes the vectors with compare-and-set and deletes the handled
 * messages, or sends the messages of a failed embed or write through retry_or_park. Never throws.
 */
async function settleBatch(outcome: EmbedOutcome, context: EmbedContext): Promise<Partial<EmbedCounts>> {
  const { ledger, embedder, log } = context;
  const msgIds = outcome.work.flatMap((item) => item.msgIds);
  if (outcome.kind === 'failed') {
    return failMessages(ledger, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Embed, error: outcome.error, maxAttempts: outcome.permanent ? 1 : context.maxAttempts });
  }
  let refused: Set<string>;
  try {
    refused = await ledger.writeEmbeddings(embedder.model, outcome.writes);
  } catch (error) {
    return failMessages(ledger, log, msgIds, { queue: Queue.EmbeddingJobs, step: Step.Write, error: errorText(error), maxAttempts: context.maxAttempts });
  }
  // A refused write means the content moved on after it was read: its newer job carries on.
  if (refused.size > 0) log.info('stale embeddings refused', { documents: [...refused] });
  await deleteHandled(ledger, log, Queue.EmbeddingJobs, msgIds);
  const passages = outcome.work.flatMap((item) => item.passages);
  return { embedded: outcome.work.length - refused.size, stale: refused.size, passages: passages.filter((p) => !p.reuse).length, reused: passages.filter((p) => p.reuse).length };
}

/** Batch shape towards the provider. */
export interface EmbedShape {
  readonly batchSize: number;
  readonly concurrency: number;
}

/**
 * Two stages so that the provider never waits for the database:
 *
 * - provider: at most `concurrency` requests in flight; a slot is given back as soon as the
 *   provider answers, never held over a database statement;
 * - writer: one serial lane that writes each answered batch (compare-and-set) and deletes its
 *   messages, or sends them through retry_or_park, while the next provider calls run.
 *
 * Batches between dispatch and written are bounded (`concurrency` at the provider plus as many
 * waiting for the writer), so memory stays flat however long the queue is: a full writer holds
 * back new dispatches. Counts are added into `counts` as batches settle.
 */
export class EmbedPipeline {
  private readonly slots: Semaphore;
  private readonly outstanding: Semaphore;
  private readonly waitingWrites: { outcomes: readonly EmbedOutcome[]; done: () => void }[] = [];
  private writing = false;
  private readonly pending = new Set<Promise<void>>();
  /** Document id -> settled when the batch carrying it is written (or failed). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly context: EmbedContext, private readonly shape: EmbedShape, private readonly counts: EmbedCounts) {
    this.slots = new Semaphore(shape.concurrency);
    this.outstanding = new Semaphore(2 * shape.concurrency);
  }

  /** Waits until no batch of the given documents is between dispatch and written. */
  async settledFor(ids: readonly string[]): Promise<void> {
    const waits = ids.flatMap((id) => this.inFlight.get(id) ?? []);
    if (waits.length > 0) await Promise.all(waits);
  }

  /** Hands the work to the provider stage; resolves once every batch is dispatched (not written). */
  async dispatch(work: readonly EmbedWork[]): Promise<void> {
    const batches = batchByPassages(work, this.shape.batchSize);
    const done = batches.map(() => Promise.withResolvers<void>());
    batches.forEach((batch, index) => {
      for (const item of batch) this.inFlight.set(item.source.documentId, done[index]!.promise);
    });
    for (const [index, batch] of batches.entries()) {
      await this.outstanding.acquire();
      await this.slots.acquire();
      const task = this.run(batch).finally(() => {
        for (const item of batch) if (this.inFlight.get(item.source.documentId) === done[index]!.promise) this.inFlight.delete(item.source.documentId);
        done[index]!.resolve();
        this.outstanding.release();
        this.pending.delete(task);
      });
      this.pending.add(task);
    }
  }

  /** Whether a dispatched batch is not written yet. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves when every dispatched batch is written or failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async run(batch: readonly EmbedWork[]): Promise<void> {
    let outcomes: EmbedOutcome[];
    try {
      outcomes = await embedBatch(batch, this.context);
    } finally {
      this.slots.release();
    }
    await this.write(outcomes);
  }

  /**
   * Queues the outcomes on the serial writer lane; resolves when they are settled. When the lane
   * is behind, the answered batches waiting for it are settled together: one compare-and-set
   * statement and one delete for all of them, so the database keeps up with the provider.
   */
  private write(outcomes: readonly EmbedOutcome[]): Promise<void> {
    const entry = Promise.withResolvers<void>();
    this.waitingWrites.push({ outcomes, done: entry.resolve });
    if (!this.writing) void this.drainWrites();
    return entry.promise;
  }

  private async drainWrites(): Promise<void> {
    this.writing = true;
    try {
      while (this.waitingWrites.length > 0) {
        const taken = this.waitingWrites.splice(0);
        const outcomes = taken.flatMap((entry) => entry.outcomes);
        const embedded = outcomes.filter((outcome) => outcome.kind === 'embedded');
        const merged: EmbedOutcome[] = embedded.length > 1
          ? [{ kind: 'embedded', work: embedded.flatMap((outcome) => outcome.work), writes: embedded.flatMap((outcome) => outcome.writes) }]
          : embedded;
        for (const outcome of [...merged, ...outcomes.filter((outcome) => outcome.kind === 'failed')]) {
          try {
            addEmbedCounts(this.counts, await settleBatch(outcome, this.context));
          } catch (error) {
            // settleBatch settles its own errors; this only guards the lane against a bug.
            this.context.log.error('settling a batch failed', { error: errorText(error) });
          }
        }
        for (const entry of taken) entry.done();
      }
    } finally {
      this.writing = false;
    }
  }
}
