// The report e-mail and its archived copy: subject, HTML (inline styles and tables only, as mail
// clients need) and the plain-text alternative, each rendered from one RunReport.
import { escapeHtml, formatBytes, formatCount, formatDuration, section, table } from './format';
import { renderHealthHtml, renderHealthText } from './health';
import { renderVerificationHtml, renderVerificationText } from './quality';
import { renderSearchHtml, renderSearchText, searchSummary } from './search';
import type { RenderedReport, RunReport, StageTiming } from './types';

// Short, because every cell of the HTML goes through it.
const e = escapeHtml;

/** "[vector-sync] ✓ sync documents: 120 upserted, 3 deleted, 1 rejected" or "✗ ... failed". */
function reportSubject(report: RunReport): string {
  const { counts } = report;
  const mark = report.outcome === 'completed' ? '✓' : '✗ FAILED';
  if (report.op === 'search') return `[vector-sync] ${mark} search ${report.indexName}: ${searchSummary(report.search)}`;
  const parts = [`${formatCount(counts.upserted)} upserted`, `${formatCount(counts.deleted)} deleted`];
  if (counts.rejected > 0) parts.push(`${formatCount(counts.rejected)} rejected`);
  if (counts.failed > 0) parts.push(`${formatCount(counts.failed)} failed`);
  return `[vector-sync] ${mark} ${report.op} ${report.indexName}: ${parts.join(', ')}`;
}

/** Time per stage as bars made of table cells: no images, so every mail client draws them. */
function stageBars(stages: readonly StageTiming[]): string {
  const longest = Math.max(1, ...stages.map((stage) => stage.ms));
  const rows = stages.map((stage) => {
    const width = Math.max(1, Math.round((stage.ms / longest) * 100));
    const bar = `<table role="presentation" cellspacing="0" cellpadding="0" style="width:100%;border-collapse:collapse"><tr><td style="width:${width}%;background:#4f46e5;height:12px;font-size:0;line-height:0">&nbsp;</td>${width < 100 ? `<td style="width:${100 - width}%;font-size:0;line-height:0">&nbsp;</td>` : ''}</tr></table>`;
    return [e(stage.stage), bar, e(formatDuration(stage.ms))];
  });
  return table(['Stage', 'Time', ''], rows, new Set([2]));
}

/** The HTML body of a report: inline styles and tables only, as mail clients need. */
function renderReportHtml(report: RunReport): string {
  const ok = report.outcome === 'completed';
  const search = report.op === 'search';
  const { counts, index } = report;
  const banner = `<div style="padding:12px 16px;border-radius:6px;background:${ok ? '#ecfdf5' : '#fef2f2'};color:${ok ? '#065f46' : '#991b1b'};font-weight:600">${ok ? 'Run completed' : 'Run failed'}${report.error ? `: ${e(report.error)}` : ''}</div>`;
  const facts = table(
    ['Run', 'Operation', 'Trigger', 'Index', 'Started', 'Finished'],
    [[`<code>${e(report.runId)}</code>`, e(report.op), e(report.requestedBy ? `${report.trigger} (${report.requestedBy})` : report.trigger), e(report.indexName), e(report.startedAt), e(report.finishedAt)]],
  );
  const countRows = (
    [
      ['Received', counts.received],
      ['Upserted', counts.upserted],
      ['Deleted', counts.deleted],
      ['Unchanged', counts.unchanged],
      ['Rejected', counts.rejected],
      ['Failed', counts.failed],
      ...(report.vectors ? ([['Vectors written', report.vectors.written], ['Vectors deleted', report.vectors.deleted]] as const) : []),
    ] as const
  ).map(([label, value]) => [e(label), e(formatCount(value))]);
  const rejections = report.rejections.length === 0
    ? '<p style="font-size:13px">No vector was rejected.</p>'
    : table(['Reason', 'Count', 'Examples'], report.rejections.map((group) => [e(group.reason), e(formatCount(group.count)), group.examples.map((id) => `<code>${e(id)}</code>`).join(', ')]), new Set([1]));
  const parked = report.parked && report.parked.length > 0
    ? section('Parked events', table(['Function', 'Code', 'Reason', 'Event'], report.parked.map((line) => [e(line.functionName), e(line.code), e(line.reason), line.eventId ? `<code>${e(line.eventId)}</code>` : ''])))
    : '';
  const chunks = table(
    ['Chunk', 'State', 'Attempts', 'Instance', 'Upserted', 'Deleted', 'Rejected', 'Time', 'Error'],
    report.chunks.map((chunk) => [
      e(String(chunk.chunkNo)),
      e(chunk.state),
      e(String(chunk.attempts)),
      e(chunk.instanceId ?? ''),
      e(formatCount(chunk.upserted)),
      e(formatCount(chunk.deleted)),
      e(formatCount(chunk.rejected)),
      e(chunk.durationMs === undefined ? '' : formatDuration(chunk.durationMs)),
      e(chunk.error ?? ''),
    ]),
    new Set([2, 4, 5, 6, 7]),
  );
  const indexStats = table(
    ['Indexed documents', 'Total vectors', 'Estimated size', 'Dimension', 'Metric'],
    [[e(index.totalDocuments === undefined ? '' : formatCount(index.totalDocuments)), e(formatCount(index.totalVectors)), e(formatBytes(index.estimatedBytes)), e(String(index.dimension)), e(index.metric)]],
    new Set([0, 1, 2, 3]),
  );
  const validation = report.validation
    ? `<p style="font-size:13px">${e(`${report.validation.matched} of ${report.validation.sampled} sampled vectors came back as their own nearest neighbour.`)}</p>`
    : '<p style="font-size:13px">No validation query ran.</p>';
  const archive = report.archiveUrl ? `<p style="font-size:13px"><a href="${e(report.archiveUrl)}">Archived copy of this report</a></p>` : '';
  return [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    `<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827"><div style="max-width:720px;margin:0 auto">`,
    `<h1 style="font-size:18px;margin:0 0 12px">${e(reportSubject(report))}</h1>`,
    banner,
    section('Run', facts),
    // A search writes nothing: its answers come first, and the write sections are left out.
    search ? renderSearchHtml(report.search) : section('Documents', table(['', 'Count'], countRows, new Set([1]))),
    search ? '' : section('Rejected vectors', rejections),
    parked,
    section('Time per stage', stageBars(report.stages)),
    section('Chunks', chunks),
    section('Index', indexStats),
    search ? '' : section('Validation query', validation),
    report.verification ? renderVerificationHtml(report.verification) : '',
    report.health ? renderHealthHtml(report.health) : '',
    archive,
    '</div></body></html>',
  ].join('\n');
}

/** The plain-text lines of what a writing run did: its counts and its rejected vectors. */
function writeLines(report: RunReport): string[] {
  const { counts } = report;
  return [
    `Received ${formatCount(counts.received)} | upserted ${formatCount(counts.upserted)} | deleted ${formatCount(counts.deleted)} | unchanged ${formatCount(counts.unchanged)} | rejected ${formatCount(counts.rejected)} | failed ${formatCount(counts.failed)} (documents)`,
    ...(report.vectors ? [`Vectors    ${formatCount(report.vectors.written)} written, ${formatCount(report.vectors.deleted)} deleted`] : []),
    '',
    'Rejected vectors:',
    ...(report.rejections.length === 0 ? ['  none'] : report.rejections.map((group) => `  ${group.reason}: ${formatCount(group.count)} (e.g. ${group.examples.join(', ')})`)),
  ];
}

/** The plain-text alternative of a report. */
function renderReportText(report: RunReport): string {
  const { index } = report;
  const lines = [
    reportSubject(report),
    '',
    `Run        ${report.runId}`,
    `Outcome    ${report.outcome}${report.error ? ` (${report.error})` : ''}`,
    `Operation  ${report.op}, trigger ${report.trigger}${report.requestedBy ? ` by ${report.requestedBy}` : ''}`,
    `Index      ${report.indexName}`,
    `Time       ${report.startedAt} to ${report.finishedAt}`,
    '',
    // A search writes nothing: its answers come first, and the write lines are left out (as in the HTML).
    ...(report.op === 'search' ? renderSearchText(report.search) : writeLines(report)),
    ...(report.parked && report.parked.length > 0 ? ['', 'Parked events:', ...report.parked.map((line) => `  ${line.functionName} ${line.code}: ${line.reason}${line.eventId ? ` (event ${line.eventId})` : ''}`)] : []),
    '',
    'Time per stage:',
    ...report.stages.map((stage) => `  ${stage.stage.padEnd(12)} ${formatDuration(stage.ms)}`),
    '',
    'Chunks:',
    ...report.chunks.map((chunk) => `  #${chunk.chunkNo} ${chunk.state}, ${chunk.attempts} attempt(s)${chunk.instanceId ? ` on ${chunk.instanceId}` : ''}: ${chunk.upserted} upserted, ${chunk.deleted} deleted, ${chunk.rejected} rejected${chunk.error ? ` - ${chunk.error}` : ''}`),
    '',
    `Index: ${index.totalDocuments === undefined ? '' : `${formatCount(index.totalDocuments)} documents, `}${formatCount(index.totalVectors)} vectors, about ${formatBytes(index.estimatedBytes)}, dimension ${index.dimension}, ${index.metric}`,
    ...(report.op === 'search' ? [] : [report.validation ? `Validation query: ${report.validation.matched} of ${report.validation.sampled} sampled vectors found themselves first.` : 'Validation query: not run.']),
    ...(report.verification ? ['', ...renderVerificationText(report.verification)] : []),
    ...(report.health ? ['', renderHealthText(report.health).trimEnd()] : []),
    ...(report.archiveUrl ? ['', `Archived copy: ${report.archiveUrl}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Subject, HTML and plain text of a run report. */
export function renderReport(report: RunReport): RenderedReport {
  return { subject: reportSubject(report), html: renderReportHtml(report), text: renderReportText(report) };
}
