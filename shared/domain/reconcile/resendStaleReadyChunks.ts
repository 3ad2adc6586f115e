import { chunkReadyEvent } from '../../contracts';
import { publishAll, RecoveryLedger } from '../collect';
import { ReconcileLimits } from './constants';
import { toProblem } from './toProblem';
import type { ReconcileDeps, ReconcileProblem } from './types';

/** Step 2: chunks left in ready (their chunk.ready was lost) get chunk.ready again, same id as before. */
export async function resendStaleReadyChunks(deps: ReconcileDeps, touched: Set<string>, problems: ReconcileProblem[]): Promise<number> {
  const stale = await new RecoveryLedger(deps.sql).touchStaleReady(deps.settings.readyStaleSeconds, ReconcileLimits.staleReadyChunks);
  if (stale.length === 0) return 0;
  try {
    await publishAll(deps.publisher, stale.map((chunk) => chunkReadyEvent(chunk.run_id, chunk.chunk_no, chunk.attempts)));
  } catch (error) {
    // The chunks were touched: the next attempt comes after another waiting period.
    problems.push(toProblem('ready', error));
    return 0;
  }
  for (const chunk of stale) touched.add(chunk.run_id);
  deps.log.warn('ready chunks published again', { chunks: stale.map((chunk) => `${chunk.run_id}/${chunk.chunk_no}`) });
  return stale.length;
}
