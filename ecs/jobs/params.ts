// A run's params (`vector_sync.runs.params`) as a job reads them: parsed with its op's schema, a
// mismatch failing the chunk for good with the run and the first problem named.
import type * as z from 'zod';
import { LedgerShapeError } from '../../shared/ledger';
import type { RunRow } from '../../shared/ledger';

/** The run's params parsed with `schema`; LedgerShapeError (permanent) when they do not fit. */
export function runParams<S extends z.ZodType>(run: Pick<RunRow, 'run_id' | 'op' | 'params'>, schema: S): z.output<S> {
  const parsed = schema.safeParse(run.params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new LedgerShapeError(`the params of ${run.op} run ${run.run_id} do not fit its op: ${where}${issue?.message ?? 'unknown problem'}`, { details: { runId: run.run_id } });
}
