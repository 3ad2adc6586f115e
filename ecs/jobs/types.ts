import type { IndexShape } from '../../shared/clients/oss-vectors';
import type { ChunkRow, IndexRow, RunRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';

/** One chunk as the worker handles it. */
export interface ChunkJob {
  readonly ctx: WorkerContext;
  readonly run: RunRow;
  readonly chunk: ChunkRow;
  /** The run's index (the generation it writes or checks). */
  readonly index: IndexRow;
}

/** What a chunk did; the counts are the ones the ledger sums into the run. */
export interface ChunkCounts {
  upserted: number;
  deleted: number;
  skipped: number;
  rejected: number;
  failed: number;
}

/** The shape OSS Vectors checks vectors against. */
export function shapeOf(index: IndexRow): IndexShape {
  return { dimension: index.dimension, distanceMetric: index.metric };
}

/** Zero counts. */
export function noCounts(): ChunkCounts {
  return { upserted: 0, deleted: 0, skipped: 0, rejected: 0, failed: 0 };
}
