import { searchTopK } from './search';
import type { MetadataPredicate } from './search';
import type { Metric, PackedBatch, SearchHit, StoredMetadata } from './types';

const INITIAL_ROWS = 1024;

/** FNV-1a of a key: decides its ListVectors segment, stable across slot reuse and restarts. */
function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A stored row as the read calls see it. */
interface StoredVector {
  readonly key: string;
  readonly data: Float32Array;
  readonly metadata: StoredMetadata | undefined;
}

/**
 * The vectors of one index in contiguous Float32Array rows with a norm per row, a key→slot map,
 * per-row metadata and the time each row becomes searchable. Deleted rows are reused. Rows keep the
 * values as written (GetVectors returns them unchanged); the norm makes cosine ranking cost the
 * same one dot product per row as pre-normalised rows would.
 */
export class VectorIndexData {
  private vectors: Float32Array;
  private norms: Float64Array;
  private alive: Uint8Array;
  private visibleAt: Float64Array;
  private hashes: Uint32Array;
  private keys: (string | undefined)[] = [];
  private metadata: (StoredMetadata | undefined)[] = [];
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private highWater = 0;

  constructor(readonly dimension: number, readonly metric: Metric) {
    this.vectors = new Float32Array(INITIAL_ROWS * dimension);
    this.norms = new Float64Array(INITIAL_ROWS);
    this.alive = new Uint8Array(INITIAL_ROWS);
    this.visibleAt = new Float64Array(INITIAL_ROWS);
    this.hashes = new Uint32Array(INITIAL_ROWS);
  }

  /** Live vectors. */
  get size(): number {
    return this.slots.size;
  }

  /** Upserts a batch; rows become searchable at `visibleAt`. */
  upsert(batch: PackedBatch, visibleAt: number): void {
    const dim = this.dimension;
    for (let row = 0; row < batch.keys.length; row += 1) {
      const key = batch.keys[row]!;
      const slot = this.slots.get(key) ?? this.allocate(key);
      const values = batch.data.subarray(row * dim, (row + 1) * dim);
      this.vectors.set(values, slot * dim);
      let sum = 0;
      for (let i = 0; i < dim; i += 1) sum += values[i]! * values[i]!;
      this.norms[slot] = Math.sqrt(sum);
      this.metadata[slot] = batch.metadata[row];
      this.visibleAt[slot] = visibleAt;
    }
  }

  /** Deletes keys; unknown keys are ignored. */
  remove(keys: readonly string[]): void {
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      this.slots.delete(key);
      this.alive[slot] = 0;
      this.keys[slot] = undefined;
      this.metadata[slot] = undefined;
      this.free.push(slot);
    }
  }

  get(key: string): StoredVector | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.at(slot);
  }

  /** The row in a slot, if live. */
  at(slot: number): StoredVector | undefined {
    const key = this.keys[slot];
    if (key === undefined || this.alive[slot] === 0) return undefined;
    return { key, data: this.vectors.slice(slot * this.dimension, (slot + 1) * this.dimension), metadata: this.metadata[slot] };
  }

  /** Live slots from `start` in slot order that belong to the segment; stops when `take` says so. */
  scan(start: number, segmentCount: number, segmentIndex: number, take: (slot: number) => boolean): number | undefined {
    for (let slot = start; slot < this.highWater; slot += 1) {
      if (this.alive[slot] === 0 || this.hashes[slot]! % segmentCount !== segmentIndex) continue;
      if (!take(slot)) return slot;
    }
    return undefined;
  }

  /** Exact top-K of a query (unit-normalised here for cosine), optionally filtered. */
  search(query: Float32Array, topK: number, now: number, filter?: MetadataPredicate): SearchHit[] {
    let q = query;
    if (this.metric === 'cosine') {
      let sum = 0;
      for (let i = 0; i < q.length; i += 1) sum += q[i]! * q[i]!;
      const norm = Math.sqrt(sum);
      q = norm > 0 ? q.map((value) => value / norm) : q;
    }
    const space = { vectors: this.vectors, dimension: this.dimension, highWater: this.highWater, norms: this.norms, alive: this.alive, visibleAt: this.visibleAt };
    return searchTopK(space, q, this.metric, topK, now, filter ? (slot) => filter(this.metadata[slot]) : undefined);
  }

  /** Every live row, for compaction. */
  *rows(): Generator<StoredVector> {
    for (const slot of this.slots.values()) {
      const row = this.at(slot);
      if (row) yield row;
    }
  }

  private allocate(key: string): number {
    const slot = this.free.pop() ?? this.highWater++;
    if (slot >= this.alive.length) this.grow();
    this.slots.set(key, slot);
    this.keys[slot] = key;
    this.alive[slot] = 1;
    this.hashes[slot] = hashKey(key);
    return slot;
  }

  private grow(): void {
    const rows = this.alive.length * 2;
    const grown = <T extends Float32Array | Float64Array | Uint8Array | Uint32Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(rows * width);
      next.set(old);
      return next;
    };
    this.vectors = grown(this.vectors, (n) => new Float32Array(n), this.dimension);
    this.norms = grown(this.norms, (n) => new Float64Array(n));
    this.alive = grown(this.alive, (n) => new Uint8Array(n));
    this.visibleAt = grown(this.visibleAt, (n) => new Float64Array(n));
    this.hashes = grown(this.hashes, (n) => new Uint32Array(n));
  }
}
