import { announceCompletion, RecoveryLedger } from '../collect';
import { ReconcileLimits } from './constants';
import { toProblem } from './toProblem';
import type { ReconcileDeps, ReconcileProblem } from './types';

/**
 * Step 3: final runs whose run.completed was never published (or whose claim holder died before
 * confirming, past the grace period) are reclaimed and published, once.
 */
export async function publishLostCompletions(deps: ReconcileDeps, problems: ReconcileProblem[]): Promise<number> {
  const recovery = new RecoveryLedger(deps.sql);
  const grace = deps.settings.graceSeconds;
  const runs = await recovery.unpublishedCompletions(grace, ReconcileLimits.unpublishedCompletions);
  let published = 0;
  for (const run of runs) {
    try {
      if (!(await recovery.reclaimCompletion(run.run_id, grace))) continue;
      await announceCompletion(deps, run);
      published += 1;
      deps.log.warn('lost run completion published', { runId: run.run_id, outcome: run.state });
    } catch (error) {
      problems.push(toProblem('completion', error, { runId: run.run_id }));
    }
  }
  return published;
}
