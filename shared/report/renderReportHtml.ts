import { escapeHtml as e, formatBytes, formatCount, formatDuration } from './format';
import { reportSubject } from './reportSubject';
import type { RunReport, StageTiming } from './types';

const CELL = 'padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:left;font-size:13px';
const HEAD = `${CELL};background:#f3f4f6;font-weight:600`;
const NUM = `${CELL};text-align:right;font-variant-numeric:tabular-nums`;

function section(title: string, body: string): string {
  return `<h2 style="font-size:15px;margin:20px 0 8px">${e(title)}</h2>${body}`;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number> = new Set()): string {
  const head = headers.map((header, i) => `<th style="${numeric.has(i) ? `${HEAD};text-align:right` : HEAD}">${e(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td style="${numeric.has(i) ? NUM : CELL}">${cell}</td>`).join('')}</tr>`).join('');
  return `<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">${`<tr>${head}</tr>`}${body}</table>`;
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
export function renderReportHtml(report: RunReport): string {
  const ok = report.outcome === 'completed';
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
  const indexStats = table(['Total vectors', 'Estimated size', 'Dimension', 'Metric'], [[e(formatCount(index.totalVectors)), e(formatBytes(index.estimatedBytes)), e(String(index.dimension)), e(index.metric)]], new Set([0, 1, 2]));
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
    section('Documents', table(['', 'Count'], countRows, new Set([1]))),
    section('Rejected vectors', rejections),
    parked,
    section('Time per stage', stageBars(report.stages)),
    section('Chunks', chunks),
    section('Index', indexStats),
    section('Validation query', validation),
    archive,
    '</div></body></html>',
  ].join('\n');
}
