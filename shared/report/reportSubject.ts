import { formatCount } from './format';
import type { RunReport } from './types';

/** "[vector-sync] ✓ sync documents: 120 upserted, 3 deleted, 1 rejected" or "✗ ... failed". */
export function reportSubject(report: RunReport): string {
  const { counts } = report;
  const parts = [`${formatCount(counts.upserted)} upserted`, `${formatCount(counts.deleted)} deleted`];
  if (counts.rejected > 0) parts.push(`${formatCount(counts.rejected)} rejected`);
  if (counts.failed > 0) parts.push(`${formatCount(counts.failed)} failed`);
  const mark = report.outcome === 'completed' ? '✓' : '✗ FAILED';
  return `[vector-sync] ${mark} ${report.op} ${report.indexName}: ${parts.join(', ')}`;
}
