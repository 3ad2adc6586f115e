import type { Metric, SearchHit } from './types';

/** The contiguous rows a search runs over. */
export interface SearchSpace {
  readonly vectors: Float32Array;
  readonly dimension: number;
  /** Rows in use are below this slot. */
  readonly highWater: number;
  /** L2 norm of each row. */
  readonly norms: Float64Array;
  readonly alive: Uint8Array;
  /** When each row becomes searchable (epoch ms). */
  readonly visibleAt: Float64Array;
}

function dot(vectors: Float32Array, offset: number, query: Float32Array, dimension: number): number {
  // Four accumulators let the JIT overlap the multiply-adds; the tail loop takes the rest.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  const end = dimension - (dimension % 4);
  for (; i < end; i += 4) {
    a += vectors[offset + i]! * query[i]!;
    b += vectors[offset + i + 1]! * query[i + 1]!;
    c += vectors[offset + i + 2]! * query[i + 2]!;
    d += vectors[offset + i + 3]! * query[i + 3]!;
  }
  for (; i < dimension; i += 1) a += vectors[offset + i]! * query[i]!;
  return a + b + c + d;
}

function exactEuclidean(vectors: Float32Array, offset: number, query: Float32Array, dimension: number): number {
  let sum = 0;
  for (let i = 0; i < dimension; i += 1) {
    const diff = vectors[offset + i]! - query[i]!;
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/**
 * Exact top-K over every live, visible row that `accept` lets through. Ranking uses one dot product
 * per row: cosine compares dot/‖x‖ (the query is unit length), euclidean ‖x‖² − 2·x·q. Distances of
 * the winners are then computed exactly: 1 − cosine similarity, or the L2 distance.
 */
export function searchTopK(space: SearchSpace, query: Float32Array, metric: Metric, topK: number, now: number, accept?: (slot: number) => boolean): SearchHit[] {
  const { vectors, dimension, norms, alive, visibleAt } = space;
  const scores = new Float64Array(topK).fill(Number.POSITIVE_INFINITY);
  const slots = new Int32Array(topK).fill(-1);
  let worst = Number.POSITIVE_INFINITY;
  for (let slot = 0; slot < space.highWater; slot += 1) {
    if (alive[slot] === 0 || visibleAt[slot]! > now) continue;
    if (accept !== undefined && !accept(slot)) continue;
    const product = dot(vectors, slot * dimension, query, dimension);
    const norm = norms[slot]!;
    const score = metric === 'cosine' ? -product / norm : norm * norm - 2 * product;
    if (score >= worst) continue;
    // Insertion into the sorted best list; K is at most 100, so this beats a heap.
    let at = topK - 1;
    while (at > 0 && scores[at - 1]! > score) {
      scores[at] = scores[at - 1]!;
      slots[at] = slots[at - 1]!;
      at -= 1;
    }
    scores[at] = score;
    slots[at] = slot;
    worst = scores[topK - 1]!;
  }
  const hits: SearchHit[] = [];
  for (let i = 0; i < topK && slots[i]! >= 0; i += 1) {
    const slot = slots[i]!;
    const distance = metric === 'cosine' ? 1 + scores[i]! : exactEuclidean(vectors, slot * dimension, query, dimension);
    hits.push({ slot, distance });
  }
  return hits;
}
