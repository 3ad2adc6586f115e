// Search quality: how much of the exact top k (pgvector in Postgres, a full scan) OSS Vectors'
// approximate top k finds, per query and on average. Verify measures it over a sample of documents
// (each one's own embedding as the query); a search run measures it for its queries on request.
import { createHash } from 'node:crypto';
import type { QueryRecall, RecallResult } from '../../shared/contracts';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { vectorValues } from '../embeddingRows';
import { shapeOf } from '../vectors';

/** Queries whose hits differ that a result keeps, and document ids per list: a report, not a dump. */
const DIFFERING_KEPT = 10;
const IDS_KEPT = 10;
/** Distances this close count as a tie: tied hits may come back in either order. */
const TIE = 1e-5;

/** One query of a recall measurement. */
export interface RecallQuery {
  readonly label: string;
  readonly vector: readonly number[];
}

/** A neighbour as either side answers it. */
export interface Neighbour {
  readonly documentId: string;
  readonly distance: number | null;
}

/** A recall measurement: the summary a chunk stores, and each query's own figure in query order. */
export interface RecallMeasurement extends RecallResult {
  readonly perQuery: readonly QueryRecall[];
}

/**
 * Recall of one query: the share of the exact top k (at most k, fewer when the table is smaller)
 * that the approximate answer holds. A hit outside the exact list whose distance ties the exact
 * k-th one stands in for a tied neighbour it displaced, so ties never count as misses.
 */
export function compareTopK(approximate: readonly Neighbour[], exact: readonly Neighbour[], k: number): QueryRecall {
  const expected = exact.slice(0, k);
  if (expected.length === 0) return { recall: 1, missed: [], extra: approximate.slice(0, k).map((hit) => hit.documentId).slice(0, IDS_KEPT) };
  const found = approximate.slice(0, k);
  const expectedIds = new Set(expected.map((n) => n.documentId));
  const foundIds = new Set(found.map((n) => n.documentId));
  const kth = expected[expected.length - 1]?.distance ?? 0;
  const tied = (n: Neighbour): boolean => n.distance !== null && Math.abs(n.distance - kth) <= TIE;
  const missed = expected.filter((n) => !foundIds.has(n.documentId));
  const extra = found.filter((n) => !expectedIds.has(n.documentId));
  // Pair tied misses with tied extras: same distance, different order.
  const swaps = Math.min(missed.filter(tied).length, extra.filter(tied).length);
  const missedTiedDropped = dropFirst(missed, tied, swaps);
  const extraTiedDropped = dropFirst(extra, tied, swaps);
  return {
    recall: (expected.length - missedTiedDropped.length) / expected.length,
    missed: missedTiedDropped.map((n) => n.documentId).slice(0, IDS_KEPT),
    extra: extraTiedDropped.map((n) => n.documentId).slice(0, IDS_KEPT),
  };
}

/** `items` without the first `count` that match `test`. */
function dropFirst<T>(items: readonly T[], test: (item: T) => boolean, count: number): T[] {
  let left = count;
  return items.filter((item) => {
    if (left > 0 && test(item)) {
      left -= 1;
      return false;
    }
    return true;
  });
}

/** The mean and the differing queries (a bounded list) of per-query figures. */
export function summariseRecall(k: number, labelled: readonly (QueryRecall & { label: string })[]): RecallResult {
  const mean = labelled.length === 0 ? 1 : labelled.reduce((sum, q) => sum + q.recall, 0) / labelled.length;
  return {
    k,
    sampled: labelled.length,
    recall: Math.round(mean * 10_000) / 10_000,
    differing: labelled.filter((q) => q.recall < 1).slice(0, DIFFERING_KEPT),
  };
}

/** pgvector's text of a vector (what the exact search binds). */
function vectorText(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

/**
 * Asks OSS Vectors (the generation `index`) and Postgres (exact) for the top k of each query and
 * compares them. One query at a time: a handful of calls, and the exact scans are the cost.
 */
export async function measureRecall(worker: WorkerContext, index: IndexRow, queries: readonly RecallQuery[], k: number): Promise<RecallMeasurement> {
  const perQuery: QueryRecall[] = [];
  for (const query of queries) {
    const hits = await worker.oss.queryVectors({ bucket: index.bucket, indexName: index.index_name, queryVector: [...query.vector], topK: k, returnDistance: true, returnMetadata: false, index: shapeOf(index) });
    // Compared key by key: a passage is a neighbour of its own (the sidecar's keys are the same).
    const approximate = hits.map((hit) => ({ documentId: hit.key, distance: hit.distance ?? null }));
    const exact = await worker.ledger.exactNeighbours(vectorText(query.vector), k, index.metric);
    perQuery.push(compareTopK(approximate, exact, k));
  }
  return { ...summariseRecall(k, perQuery.map((q, i) => ({ ...q, label: queries[i]?.label ?? `query ${i + 1}` }))), perQuery };
}

/** A uuid as a 128-bit number, and back. */
function uuidToBigInt(uuid: string): bigint {
  return BigInt(`0x${uuid.replace(/-/gu, '')}`);
}
function bigIntToUuid(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Points spread between the sidecar's first and last id, at fractions derived from the run id: the
 * same run samples the same documents again, another run others, and ids that cluster (time-ordered
 * uuids, imported ranges) are sampled as well as random ones.
 */
export function samplePoints(runId: string, count: number, bounds: { first: string; last: string }): string[] {
  const first = uuidToBigInt(bounds.first);
  const span = uuidToBigInt(bounds.last) - first;
  return Array.from({ length: count }, (_, i) => {
    const fraction = BigInt(`0x${createHash('sha256').update(`${runId}:${i}`).digest('hex').slice(0, 16)}`);
    return bigIntToUuid(first + (span * fraction) / 2n ** 64n);
  });
}

/**
 * Recall@k over `sample` documents of the sidecar, each one's own embedding as the query (verify's
 * measurement). Undefined when the sample is 0 or the sidecar is empty.
 */
export async function sampleRecall(worker: WorkerContext, runId: string, index: IndexRow, sample: number, k: number): Promise<RecallResult | undefined> {
  if (sample === 0) return undefined;
  const bounds = await worker.ledger.embeddingIdBounds();
  if (!bounds) return undefined;
  const rows = await worker.ledger.embeddingsAtPoints(samplePoints(runId, sample, bounds));
  const queries = rows.map((row) => ({ label: `document ${row.documentId}`, vector: vectorValues(row.embedding, row.documentId) }));
  const { perQuery: _perQuery, ...result } = await measureRecall(worker, index, queries, k);
  return result;
}
