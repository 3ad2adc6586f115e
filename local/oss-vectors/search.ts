import { OssVectorsApiError } from './errors';
import type { Metric, SearchHit, StoredMetadata } from './types';

/** The contiguous rows a search runs over. */
interface SearchSpace {
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

/** Limits a filter must respect. */
interface FilterLimits {
  readonly maxFilterBytes: number;
  readonly maxFilterConditions: number;
  readonly maxFilterDepth: number;
}

const OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$exists']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function checkOperand(op: string, value: unknown, key: string): void {
  const ok = op === '$exists' ? typeof value === 'boolean' : op === '$in' || op === '$nin' ? isStringList(value) : typeof value === 'string';
  if (!ok) throw new OssVectorsApiError('InvalidArgument', `filter operand of ${op} on ${key} has the wrong type`);
}

/**
 * Checks a QueryVectors filter: known operators with operands of the documented types, `$and` /
 * `$or` with non-empty arrays, only filterable keys, and the size, condition and depth limits.
 */
export function checkFilter(filter: unknown, filterable: (key: string) => boolean, limits: FilterLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(filter) ?? '');
  if (bytes > limits.maxFilterBytes) throw new OssVectorsApiError('InvalidArgument', `filter is ${bytes} bytes; at most ${limits.maxFilterBytes}`);
  let conditions = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > limits.maxFilterDepth) throw new OssVectorsApiError('InvalidArgument', `filter nests deeper than ${limits.maxFilterDepth} levels`);
    if (!isObject(node)) throw new OssVectorsApiError('InvalidArgument', 'a filter must be a JSON object');
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) throw new OssVectorsApiError('InvalidArgument', `${key} needs a non-empty array of filters`);
        for (const child of value) visit(child, depth + 1);
        continue;
      }
      if (key.startsWith('$')) throw new OssVectorsApiError('InvalidArgument', `unknown filter operator ${key}`);
      if (!filterable(key)) throw new OssVectorsApiError('InvalidArgument', `metadata key ${key} is not filterable`);
      if (!isObject(value) || Object.keys(value).length === 0) throw new OssVectorsApiError('InvalidArgument', `the condition on ${key} must be an object of operators`);
      for (const [op, operand] of Object.entries(value)) {
        if (!OPERATORS.has(op)) throw new OssVectorsApiError('InvalidArgument', `unknown filter operator ${op}`);
        checkOperand(op, operand, key);
        conditions += 1;
      }
      if (conditions > limits.maxFilterConditions) throw new OssVectorsApiError('InvalidArgument', `filter has more than ${limits.maxFilterConditions} conditions`);
    }
  };
  visit(filter, 1);
}

/** A compiled filter: true when a vector's metadata matches. */
export type MetadataPredicate = (metadata: StoredMetadata | undefined) => boolean;

type Value = string | readonly string[] | undefined;

function values(value: Value): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function condition(key: string, op: string, operand: unknown): MetadataPredicate {
  switch (op) {
    case '$eq':
      return (metadata) => values(metadata?.[key]).includes(operand as string);
    case '$ne':
      return (metadata) => !values(metadata?.[key]).includes(operand as string);
    case '$in': {
      const set = new Set(operand as string[]);
      return (metadata) => values(metadata?.[key]).some((item) => set.has(item));
    }
    case '$nin': {
      const set = new Set(operand as string[]);
      return (metadata) => !values(metadata?.[key]).some((item) => set.has(item));
    }
    default:
      return (metadata) => (metadata?.[key] !== undefined) === operand;
  }
}

/**
 * Compiles a filter already passed by `checkFilter` into one predicate. Keys of one object are
 * ANDed; on an array value `$eq`/`$in` match any element and `$ne`/`$nin` require that none
 * matches (a missing key satisfies `$ne`/`$nin`).
 */
export function compileFilter(filter: Readonly<Record<string, unknown>>): MetadataPredicate {
  const parts: MetadataPredicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const children = (value as Record<string, unknown>[]).map(compileFilter);
      parts.push(key === '$and' ? (m) => children.every((child) => child(m)) : (m) => children.some((child) => child(m)));
      continue;
    }
    for (const [op, operand] of Object.entries(value as Record<string, unknown>)) parts.push(condition(key, op, operand));
  }
  return (metadata) => parts.every((part) => part(metadata));
}
