import { formatBytes, formatCount, formatDuration } from './format';
import { reportSubject } from './reportSubject';
import type { RunReport } from './types';

/** The plain-text alternative of a report. */
export function renderReportText(report: RunReport): string {
  const { counts, index } = report;
  const lines = [
    reportSubject(report),
    '',
    `Run        ${report.runId}`,
    `Outcome    ${report.outcome}${report.error ? ` (${report.error})` : ''}`,
    `Operation  ${report.op}, trigger ${report.trigger}${report.requestedBy ? ` by ${report.requestedBy}` : ''}`,
    `Index      ${report.indexName}`,
    `Time       ${report.startedAt} to ${report.finishedAt}`,
    '',
    `Received ${formatCount(counts.received)} | upserted ${formatCount(counts.upserted)} | deleted ${formatCount(counts.deleted)} | unchanged ${formatCount(counts.unchanged)} | rejected ${formatCount(counts.rejected)} | failed ${formatCount(counts.failed)}`,
    '',
    'Rejected vectors:',
    ...(report.rejections.length === 0 ? ['  none'] : report.rejections.map((group) => `  ${group.reason}: ${formatCount(group.count)} (e.g. ${group.examples.join(', ')})`)),
    ...(report.parked && report.parked.length > 0 ? ['', 'Parked events:', ...report.parked.map((line) => `  ${line.functionName} ${line.code}: ${line.reason}${line.eventId ? ` (event ${line.eventId})` : ''}`)] : []),
    '',
    'Time per stage:',
    ...report.stages.map((stage) => `  ${stage.stage.padEnd(12)} ${formatDuration(stage.ms)}`),
    '',
    'Chunks:',
    ...report.chunks.map((chunk) => `  #${chunk.chunkNo} ${chunk.state}, ${chunk.attempts} attempt(s)${chunk.instanceId ? ` on ${chunk.instanceId}` : ''}: ${chunk.upserted} upserted, ${chunk.deleted} deleted, ${chunk.rejected} rejected${chunk.error ? ` - ${chunk.error}` : ''}`),
    '',
    `Index: ${formatCount(index.totalVectors)} vectors, about ${formatBytes(index.estimatedBytes)}, dimension ${index.dimension}, ${index.metric}`,
    report.validation ? `Validation query: ${report.validation.matched} of ${report.validation.sampled} sampled vectors found themselves first.` : 'Validation query: not run.',
    ...(report.archiveUrl ? ['', `Archived copy: ${report.archiveUrl}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
