import { chunk } from '../chunk.ts';
import { describeError } from '../errors.ts';
import { Semaphore } from '../Semaphore.ts';
import { addEmbedCounts } from './EmbedCounts.ts';
import type { EmbedCounts } from './EmbedCounts.ts';
import { embedBatch, settleBatch } from './embedBatch.ts';
import type { EmbedContext, EmbedOutcome, EmbedWork } from './embedBatch.ts';

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
    const batches = chunk(work, this.shape.batchSize);
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
      outcomes = await embedBatch(batch, this.context.embedder, this.context.log);
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
          ? [{ kind: 'embedded', work: embedded.flatMap((outcome) => outcome.work), vectors: embedded.flatMap((outcome) => outcome.vectors) }]
          : embedded;
        for (const outcome of [...merged, ...outcomes.filter((outcome) => outcome.kind === 'failed')]) {
          try {
            addEmbedCounts(this.counts, await settleBatch(outcome, this.context));
          } catch (error) {
            // settleBatch settles its own errors; this only guards the lane against a bug.
            this.context.log.error('settling a batch failed', { error: describeError(error) });
          }
        }
        for (const entry of taken) entry.done();
      }
    } finally {
      this.writing = false;
    }
  }
}
