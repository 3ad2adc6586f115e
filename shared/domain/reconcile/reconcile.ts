import { ReconcileLimits } from './constants';
import { nudgeRuns } from './nudgeRuns';
import { publishLostCompletions } from './publishLostCompletions';
import { recoverSilentChunks } from './recoverSilentChunks';
import { resendStaleReadyChunks } from './resendStaleReadyChunks';
import type { ReconcileDeps, ReconcileProblem, ReconcileSummary } from './types';

/** The tick's tag in event ids: the trigger time's digits (one nudge per run and tick). */
function tickTag(triggerTime: string): string {
  return triggerTime.replace(/\D/gu, '').slice(0, 17) || 'tick';
}

/**
 * One reconcile tick: recovers silent chunks, resends lost chunk.ready events, publishes lost run
 * completions and nudges collect-stats for every run it touched. Each step is idempotent and
 * bounded; a problem with one item is kept in the summary and the rest goes on (the next tick
 * tries again).
 */
export async function reconcile(deps: ReconcileDeps, tick: { readonly triggerTime: string }): Promise<ReconcileSummary> {
  const problems: ReconcileProblem[] = [];
  const touched = new Set<string>();
  const silent = await recoverSilentChunks(deps, touched, problems);
  const readyResent = await resendStaleReadyChunks(deps, touched, problems);
  const completionsPublished = await publishLostCompletions(deps, problems);
  const nudged = await nudgeRuns(deps, touched, tickTag(tick.triggerTime), problems);
  return {
    triggerTime: tick.triggerTime,
    silent,
    readyResent,
    completionsPublished,
    nudged,
    problems: problems.length,
    errors: problems.slice(0, ReconcileLimits.reportedErrors),
  };
}
