import { setTimeout as sleep } from 'node:timers/promises';
import type { VectorInput } from '../../shared/clients/oss-vectors';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { shapeOf } from './types';

/** What the validation query found. */
export interface ValidationResult {
  readonly sampled: number;
  readonly matched: number;
  readonly waitedMs: number;
}

/** Up to `count` vectors spread over the written ones. */
function sample(vectors: readonly VectorInput[], count: number): VectorInput[] {
  if (vectors.length <= count) return [...vectors];
  const step = vectors.length / count;
  return Array.from({ length: count }, (_, i) => vectors[Math.floor(i * step)]).filter((v): v is VectorInput => v !== undefined);
}

/**
 * Queries the index with sampled vectors it was just given: each must come back as its own top-1
 * (or at distance 0, when an identical vector sits beside it). New vectors may take a moment to
 * become searchable, so misses are asked again with growing pauses, for at most SEARCHABLE_WAIT_SECONDS.
 */
export async function validationQuery(ctx: WorkerContext, index: IndexRow, written: readonly VectorInput[]): Promise<ValidationResult> {
  const picked = sample(written, ctx.config.VALIDATION_SAMPLE);
  const started = Date.now();
  const deadline = started + ctx.config.SEARCHABLE_WAIT_SECONDS * 1000;
  let pending = picked;
  let pause = 100;
  for (;;) {
    const misses: VectorInput[] = [];
    for (const vector of pending) {
      const [top] = await ctx.oss.queryVectors({ bucket: index.bucket, indexName: index.index_name, queryVector: vector.data, topK: 1, returnDistance: true, index: shapeOf(index) });
      if (!(top && (top.key === vector.key || (top.distance ?? 1) <= 1e-6))) misses.push(vector);
    }
    pending = misses;
    if (pending.length === 0 || Date.now() + pause > deadline) break;
    await sleep(pause);
    pause = Math.min(pause * 2, 2000);
  }
  return { sampled: picked.length, matched: picked.length - pending.length, waitedMs: Date.now() - started };
}
