// The write side of a chunk: vectors to put and keys to delete are gathered per target index into
// full batches (500) across pages, sent with up to WORKER_WRITE_CONCURRENCY calls in flight at the
// chunk's share of the index's write quota, and each batch is recorded in the ledger in one
// statement once it is written.
import { OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import type { PreparedVector } from '../../shared/clients/oss-vectors';
import type { ChunkCounts } from '../../shared/contracts';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import type { Outcome } from '../embeddingRows';
import { ensureIndex } from '../vectors';
import type { WriteQuotaShare } from '../writeQuota';

/** A vector (one passage of a document) bound for one target. */
export interface PutItem {
  readonly documentId: string;
  readonly passageNo: number;
  readonly contentHash: string;
  /** vectorHash of what is sent: what index_state records as held. */
  readonly vectorHash: string;
  readonly vector: PreparedVector;
  /** The version of the passage's rows as read, and when: the write is recorded against them (a later change queues it again). */
  readonly version: string | null;
  readonly readAt: string | null;
  /** The document's outcome and count go with this write (its first vector written, on the first target of its page). */
  readonly settles: boolean;
}

/** A vector key to delete from one target: a gone document's, or a passage past a document's end. */
export interface DeleteItem {
  readonly documentId: string;
  readonly passageNo: number;
  readonly key: string;
  /** Settled as 'delete' (a gone document: 'deleted' when the first target held it, else 'skipped') or as 'upsert' (a shrunk document whose passages were all written already: 'upserted'). */
  readonly op: 'upsert' | 'delete';
  readonly held: boolean;
  readonly settles: boolean;
  /** When the page that found the key surplus was read (a passage written there since queues it again). */
  readonly readAt: string | null;
}

/** The batch a target is gathering. */
interface Lane<T> {
  readonly target: IndexRow;
  items: T[];
  /** Create the index first if it is missing (a generation being built that the page did not write first). */
  ensure: boolean;
  /** The chunk's vector counts follow this target's writes (the first target of the pages). */
  counted: boolean;
}

/** What a writer needs: the chunk, its share of the quota, its counts and how many calls may be in flight. */
export interface BatchWriterOptions {
  readonly worker: WorkerContext;
  readonly runId: string;
  readonly chunkNo: number;
  readonly quota: Pick<WriteQuotaShare, 'refresh'>;
  readonly counts: ChunkCounts & VectorCounts;
}

/** Vectors a chunk put and deleted on its first target (documents are counted in ChunkCounts). */
export interface VectorCounts {
  vectorsWritten?: number;
  vectorsDeleted?: number;
}

/**
 * Runs one target's write. A target that answers NoSuchVectorIndex because a rebuild switched
 * generations meanwhile (the ledger has it retired or dropped now) is left out: its vectors went
 * with it, and the generation that replaced it was being built when the targets were read, so it
 * gets the same writes. With `deleting`, a generation still being built whose index is not created
 * yet holds nothing to delete: left out too (its rebuild reads the sidecar as it is then). Any
 * other failure is thrown. Answers whether the write happened.
 */
export async function unlessGoneMeanwhile(worker: WorkerContext, target: IndexRow, write: () => Promise<void>, deleting = false): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 404)) throw error;
    const now = await worker.ledger.index(target.index_name);
    if (deleting && now?.state === 'building') {
      worker.log.info('generation being built has no index yet; nothing to delete there', { indexName: target.index_name });
      return false;
    }
    if (now !== undefined && now.state !== 'retired' && now.state !== 'dropped') throw error;
    worker.log.warn('generation gone meanwhile (a rebuild switched it out); left out of this write', { indexName: target.index_name, state: now?.state ?? 'unknown' });
    return false;
  }
}

/**
 * Gathers a chunk's writes into full batches per target and keeps up to WORKER_WRITE_CONCURRENCY of
 * them in flight; `put` and `delete` wait while that many are, so the reader never runs more than
 * a page ahead. Memory: at most one partial batch per target and per kind, plus the batches in
 * flight. The first failure stops the writer: later calls throw it, `finish` throws it.
 */
export class BatchWriter {
  private readonly puts = new Map<string, Lane<PutItem>>();
  private readonly deletes = new Map<string, Lane<DeleteItem>>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Generations this writer made sure exist. */
  private readonly ensured = new Set<string>();
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly options: BatchWriterOptions) {}

  /** Adds vectors for `target` (`ensure`: create its index if missing; `counted`: its writes are the chunk's vector counts) and sends every batch that is full. */
  async put(target: IndexRow, items: readonly PutItem[], ensure: boolean, counted = !ensure): Promise<void> {
    this.throwIfFailed();
    const lane = this.lane(this.puts, target, ensure, counted);
    for (const item of items) {
      lane.items.push(item);
      if (lane.items.length >= this.options.worker.oss.config.limits.maxVectorsPerPut) await this.sendPuts(lane);
    }
  }

  /** Adds keys to delete from `target` and sends every batch that is full. */
  async delete(target: IndexRow, items: readonly DeleteItem[], counted: boolean): Promise<void> {
    this.throwIfFailed();
    const lane = this.lane(this.deletes, target, false, counted);
    for (const item of items) {
      lane.items.push(item);
      if (lane.items.length >= this.options.worker.oss.config.limits.maxDeleteKeys) await this.sendDeletes(lane);
    }
  }

  /** Sends the partial batches, waits for every call in flight and throws the first failure, if any. */
  async finish(): Promise<void> {
    for (const lane of this.puts.values()) if (lane.items.length > 0) await this.sendPuts(lane);
    for (const lane of this.deletes.values()) if (lane.items.length > 0) await this.sendDeletes(lane);
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for the calls in flight and sends nothing more (the chunk failed elsewhere). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  private lane<T>(lanes: Map<string, Lane<T>>, target: IndexRow, ensure: boolean, counted: boolean): Lane<T> {
    let lane = lanes.get(target.index_name);
    if (!lane) {
      lane = { target, items: [], ensure, counted };
      lanes.set(target.index_name, lane);
    }
    lane.ensure ||= ensure;
    lane.counted ||= counted;
    return lane;
  }

  private async sendPuts(lane: Lane<PutItem>): Promise<void> {
    const { target, items, ensure, counted } = lane;
    lane.items = [];
    await this.send(async () => {
      const { worker, quota, counts } = this.options;
      const written = (await this.stillWanted(target, ensure)) && (await unlessGoneMeanwhile(worker, target, async () => {
        await quota.refresh();
        await worker.oss.putPreparedVectors({ bucket: target.bucket, indexName: target.index_name, vectors: items.map((item) => item.vector) });
      }));
      const settled = items.filter((item) => item.settles).map((item): Outcome => ({ documentId: item.documentId, op: 'upsert', outcome: 'upserted' }));
      const requeued = await worker.ledger.recordWrite({
        ...this.chunk(), indexName: written ? target.index_name : undefined, ids: items.map((item) => item.documentId), passageNos: items.map((item) => item.passageNo),
        hashes: items.map((item) => item.contentHash), vectorHashes: items.map((item) => item.vectorHash),
        versions: items.map((item) => item.version), readAts: items.map((item) => item.readAt), outcomes: settled,
      });
      this.noteRequeued(target, requeued);
      counts.upserted += settled.length;
      if (counted && written) counts.vectorsWritten = (counts.vectorsWritten ?? 0) + items.length;
    });
  }

  private async sendDeletes(lane: Lane<DeleteItem>): Promise<void> {
    const { target, items, counted } = lane;
    lane.items = [];
    await this.send(async () => {
      const { worker, quota, counts } = this.options;
      const written = await unlessGoneMeanwhile(worker, target, async () => {
        await quota.refresh();
        await worker.oss.deleteVectors({ bucket: target.bucket, indexName: target.index_name, keys: items.map((item) => item.key) });
      }, true);
      const settled = items.filter((item) => item.settles).map((item): Outcome => ({ documentId: item.documentId, op: item.op, outcome: item.op === 'upsert' ? 'upserted' : item.held ? 'deleted' : 'skipped' }));
      const requeued = await worker.ledger.recordWrite({
        ...this.chunk(), indexName: written ? target.index_name : undefined, ids: items.map((item) => item.documentId), passageNos: items.map((item) => item.passageNo),
        versions: items.map(() => null), readAts: items.map((item) => item.readAt), outcomes: settled,
      });
      this.noteRequeued(target, requeued);
      counts.upserted += settled.filter((outcome) => outcome.outcome === 'upserted').length;
      counts.deleted += settled.filter((outcome) => outcome.outcome === 'deleted').length;
      counts.skipped += settled.filter((outcome) => outcome.outcome === 'skipped').length;
      if (counted && written) counts.vectorsDeleted = (counts.vectorsDeleted ?? 0) + items.filter((item) => item.held).length;
    });
  }

  /**
   * Before the first write into a generation its page did not write first (one being built): makes
   * sure its index exists, unless the ledger has it retired or dropped by now (a rebuild that
   * failed or was switched out while the batch gathered), which is left out instead of created again.
   */
  private async stillWanted(target: IndexRow, ensure: boolean): Promise<boolean> {
    if (!ensure || this.ensured.has(target.index_name)) return true;
    const { worker } = this.options;
    const now = await worker.ledger.index(target.index_name);
    if (now === undefined || now.state === 'retired' || now.state === 'dropped') {
      worker.log.warn('generation retired or dropped meanwhile; left out of this write', { indexName: target.index_name, state: now?.state ?? 'unknown' });
      return false;
    }
    await ensureIndex(worker.oss, target);
    this.ensured.add(target.index_name);
    return true;
  }

  /** Says when a write landed after its rows changed: their documents are queued for a sync that writes them again. */
  private noteRequeued(target: IndexRow, documents: number): void {
    if (documents > 0) this.options.worker.log.warn('rows changed after they were read for this write; their documents are queued again', { indexName: target.index_name, documents });
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private chunk(): { runId: string; chunkNo: number } {
    return { runId: this.options.runId, chunkNo: this.options.chunkNo };
  }

  /** Starts a write once fewer than WORKER_WRITE_CONCURRENCY are in flight. */
  private async send(write: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.options.worker.config.WORKER_WRITE_CONCURRENCY) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const task: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.inFlight.delete(task);
      });
    this.inFlight.add(task);
  }
}
