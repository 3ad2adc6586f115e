// The digest e-mail and its archived copy: subject, HTML (inline styles and tables only, as mail
// clients need) and the plain-text alternative, each rendered from one DigestReport. Sections
// other modules own (the index's health) come in pre-rendered and go after the totals.
import type { DigestReport, DigestRunLine } from './digest';
import { escapeHtml, formatCount, formatDuration, section, table } from './format';
import type { RenderedReport } from './types';

/** Runs listed in one e-mail; the archived JSON lists every run of the window. */
export const DIGEST_LISTED_RUNS = 200;

/** A section another module renders into the digest (its HTML must already be escaped). */
export interface DigestSection {
  /** The section's heading; empty when `html` and `text` bring their own (the index health does). */
  readonly title: string;
  readonly html: string;
  readonly text: string;
}

const e = escapeHtml;

/** "2026-12-04 10:00–11:00 UTC", or both dates when the window ends on another day. */
export function formatDigestWindow(window: DigestReport['window']): string {
  const [startDate, startTime] = window.start.slice(0, 16).split('T');
  const [endDate, endTime] = window.end.slice(0, 16).split('T');
  return startDate === endDate ? `${startDate} ${startTime}–${endTime} UTC` : `${startDate} ${startTime} – ${endDate} ${endTime} UTC`;
}

/** "[vector-sync] digest docs 2026-12-04 10:00–11:00 UTC: 12 runs, 340 upserted, 5 deleted, 1 rejected". */
function digestSubject(report: DigestReport): string {
  const { totals } = report;
  const parts = [`${formatCount(totals.runs)} ${totals.runs === 1 ? 'run' : 'runs'}`, `${formatCount(totals.upserted)} upserted`, `${formatCount(totals.deleted)} deleted`];
  if (totals.rejected > 0) parts.push(`${formatCount(totals.rejected)} rejected`);
  if (totals.failed > 0) parts.push(`${formatCount(totals.failed)} failed`);
  return `[vector-sync] digest ${report.logicalName} ${formatDigestWindow(report.window)}: ${parts.join(', ')}`;
}

function unlisted(report: DigestReport): number {
  return Math.max(0, report.runs.length - DIGEST_LISTED_RUNS);
}

function totalRows(report: DigestReport): [string, string][] {
  const { totals } = report;
  return [
    ['Runs', formatCount(totals.runs)],
    ['Documents', formatCount(totals.ids)],
    ['Upserted', formatCount(totals.upserted)],
    ['Deleted', formatCount(totals.deleted)],
    ['Unchanged', formatCount(totals.unchanged)],
    ['Rejected', formatCount(totals.rejected)],
    ['Failed', formatCount(totals.failed)],
    ['Chunks', formatCount(totals.chunks)],
    ['Time in runs', formatDuration(totals.durationMs)],
    ['Longest run', formatDuration(totals.longestMs)],
  ];
}

function runCell(run: DigestRunLine): string {
  const id = `<code>${e(run.runId)}</code>`;
  return run.reportUrl ? `<a href="${e(run.reportUrl)}">${id}</a>` : id;
}

/** The HTML body of a digest: inline styles and tables only, as mail clients need. */
function renderDigestHtml(report: DigestReport, sections: readonly DigestSection[]): string {
  const { totals } = report;
  const summary = `${formatCount(totals.runs)} change-driven ${totals.runs === 1 ? 'run' : 'runs'} of index ${report.logicalName} finished between ${report.window.start} and ${report.window.end}.`;
  const banner = `<div style="padding:12px 16px;border-radius:6px;background:#eff6ff;color:#1e3a8a;font-weight:600">${e(summary)}</div>`;
  const runs = table(
    ['Run', 'Finished', 'Generation', 'Documents', 'Upserted', 'Deleted', 'Unchanged', 'Rejected', 'Failed', 'Chunks', 'Time'],
    report.runs.slice(0, DIGEST_LISTED_RUNS).map((run) => [
      runCell(run),
      e(run.finishedAt),
      e(run.indexName),
      ...[run.ids, run.upserted, run.deleted, run.unchanged, run.rejected, run.failed, run.chunks].map((value) => e(formatCount(value))),
      e(formatDuration(run.durationMs)),
    ]),
    new Set([3, 4, 5, 6, 7, 8, 9, 10]),
  );
  const more = unlisted(report) > 0 ? `<p style="font-size:13px">${e(`… and ${formatCount(unlisted(report))} more runs: the archived copy's JSON lists every one.`)}</p>` : '';
  const note = '<p style="font-size:13px;color:#4b5563">Each run links to its own archived report. Failed runs and manual runs (rebuild, verify, sync by hand) are e-mailed at once and are not part of a digest.</p>';
  const archive = report.archiveUrl ? `<p style="font-size:13px"><a href="${e(report.archiveUrl)}">Archived copy of this digest</a></p>` : '';
  return [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    `<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827"><div style="max-width:720px;margin:0 auto">`,
    `<h1 style="font-size:18px;margin:0 0 12px">${e(digestSubject(report))}</h1>`,
    banner,
    section('Totals', table(['', 'Count'], totalRows(report).map(([label, value]) => [e(label), e(value)]), new Set([1]))),
    ...sections.map((extra) => (extra.title === '' ? extra.html : section(extra.title, extra.html))),
    section('Runs', runs),
    more,
    note,
    archive,
    '</div></body></html>',
  ].join('\n');
}

/** The plain-text alternative of a digest. */
function renderDigestText(report: DigestReport, sections: readonly DigestSection[]): string {
  const lines = [
    digestSubject(report),
    '',
    `Index   ${report.logicalName}`,
    `Window  ${report.window.start} to ${report.window.end} (${report.window.minutes} min)`,
    '',
    ...totalRows(report).map(([label, value]) => `${label.padEnd(13)} ${value}`),
    ...sections.flatMap((extra) => (extra.title === '' ? ['', extra.text.trimEnd()] : ['', `${extra.title}:`, extra.text.trimEnd()])),
    '',
    'Runs:',
    ...report.runs.slice(0, DIGEST_LISTED_RUNS).map(
      (run) => `  ${run.runId} ${run.finishedAt} ${run.indexName}: ${run.ids} documents, ${run.upserted} upserted, ${run.deleted} deleted, ${run.unchanged} unchanged, ${run.rejected} rejected, ${run.failed} failed, ${formatDuration(run.durationMs)}${run.reportUrl ? `\n    ${run.reportUrl}` : ''}`,
    ),
    ...(unlisted(report) > 0 ? [`  … and ${unlisted(report)} more runs: the archived copy's JSON lists every one.`] : []),
    '',
    'Failed runs and manual runs are e-mailed at once and are not part of a digest.',
    ...(report.archiveUrl ? ['', `Archived copy: ${report.archiveUrl}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Subject, HTML and plain text of a digest; `sections` (e.g. the index's health) go after the totals. */
export function renderDigest(report: DigestReport, sections: readonly DigestSection[] = []): RenderedReport {
  return { subject: digestSubject(report), html: renderDigestHtml(report, sections), text: renderDigestText(report, sections) };
}
