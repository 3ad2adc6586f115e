import { statsRequestedEvent } from '../../contracts';
import { publishAll } from '../collect';
import { toProblem } from './toProblem';
import type { ReconcileDeps, ReconcileProblem } from './types';

/** Step 4: asks collect-stats to look at every run the tick touched; one id per run and tick. */
export async function nudgeRuns(deps: ReconcileDeps, runIds: ReadonlySet<string>, tick: string, problems: ReconcileProblem[]): Promise<number> {
  if (runIds.size === 0) return 0;
  try {
    await publishAll(deps.publisher, [...runIds].map((runId) => statsRequestedEvent(runId, tick)));
    return runIds.size;
  } catch (error) {
    problems.push(toProblem('nudge', error));
    return 0;
  }
}
