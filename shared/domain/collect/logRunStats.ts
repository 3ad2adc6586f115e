import type { Ledger, RunRow } from '../../ledger';
import type { Logger } from '../../logging';
import type { Sql } from 'postgres';
import { buildRunReport } from '../report';

/** Logs a closed run's statistics in one JSON line: counts, rejections by reason, time per stage, index size. */
export async function logRunStats(deps: { readonly sql: Sql; readonly ledger: Ledger; readonly log: Logger }, run: RunRow): Promise<void> {
  const report = await buildRunReport(deps.sql, deps.ledger, run.run_id);
  deps.log.info('run closed', {
    runId: run.run_id,
    op: report.op,
    outcome: report.outcome,
    ...(report.error ? { error: report.error } : {}),
    chunks: report.chunks.length,
    counts: report.counts,
    rejections: report.rejections.map((group) => ({ reason: group.reason, count: group.count })),
    stages: report.stages,
    index: { name: report.indexName, totalVectors: report.index.totalVectors, estimatedBytes: report.index.estimatedBytes },
  });
}
