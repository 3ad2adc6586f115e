import { ReconcileLimits } from './constants';
import { checkSilentChunk } from './checkSilentChunk';
import { toProblem } from './toProblem';
import type { ReconcileDeps, ReconcileProblem, ReconcileSummary } from './types';

/** Step 1: every chunk in flight past its timeout plus grace is looked up and settled, requeued or failed. */
export async function recoverSilentChunks(deps: ReconcileDeps, touched: Set<string>, problems: ReconcileProblem[]): Promise<ReconcileSummary['silent']> {
  const counts = { checked: 0, requeued: 0, failed: 0, finished: 0, stale: 0 };
  const { runCommandTimeoutSeconds, graceSeconds } = deps.settings;
  const chunks = await deps.ledger.silentChunks(runCommandTimeoutSeconds + graceSeconds, ReconcileLimits.silentChunks);
  for (const chunk of chunks) {
    counts.checked += 1;
    try {
      const settled = await checkSilentChunk(deps, chunk);
      if (settled.action === 'requeued') counts.requeued += 1;
      else if (settled.action === 'failed') counts.failed += 1;
      else if (settled.action === 'already-final') counts.finished += 1;
      else counts.stale += 1;
      touched.add(chunk.run_id);
    } catch (error) {
      problems.push(toProblem('silent', error, { runId: chunk.run_id, chunkNo: chunk.chunk_no }));
    }
  }
  return counts;
}
