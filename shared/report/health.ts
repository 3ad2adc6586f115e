// The health section of a report (and of the digest and the dashboard): coverage, backlog, lag,
// drift, rejections by reason and a small chart of vectors indexed and p95 lag per bucket. The HTML
// is what mail clients render: tables, bgcolor and height attributes, inline styles; no script, no
// SVG, no image, no style sheet. Every value from data is escaped.
import type { IndexHealth } from '../ledger';
import { CELL, escapeHtml, formatCount, formatDuration, formatPercent, paragraph, section } from './format';

const e = escapeHtml;

/** Bar heights in pixels: the tallest bar of a chart. */
const CHART_HEIGHT = 48;
/** Width of a text bar (the plain-text chart). */
const TEXT_BAR = 20;
const BAR_COLOUR = '#4f46e5';
const LAG_COLOUR = '#d97706';
const EMPTY_COLOUR = '#e5e7eb';

type Bucket = IndexHealth['series'][number];

function seconds(value: number | null): string {
  return value === null ? '—' : formatDuration(value * 1000);
}

/** "02:05" (UTC) of an ISO time. */
function clock(iso: string): string {
  return iso.slice(11, 16);
}

/** Nothing indexed, measured, found or refused in the window. */
function quiet(health: IndexHealth): boolean {
  return health.lag.count === 0 && health.drift.verifyRuns === 0 && health.rejections.length === 0 && health.series.every((bucket) => bucket.indexed === 0);
}

function heading(health: IndexHealth): string {
  return `${health.logicalName} (${health.indexName ?? 'no active generation'})`;
}

function windowText(health: IndexHealth): string {
  return `${health.since} to ${health.until}`;
}

/** Label/value rows as a two-column table (labels escaped here, values too). */
function facts(title: string, rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([label, value]) => `<tr><td style="${CELL}">${e(label)}</td><td style="${CELL};text-align:right;font-variant-numeric:tabular-nums">${e(value)}</td></tr>`).join('');
  return `<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="border-collapse:collapse;width:100%"><tr><th colspan="2" style="${CELL};background:#f3f4f6;font-weight:600">${e(title)}</th></tr>${body}</table>`;
}

/** Two blocks side by side; each cell keeps its own width in Outlook too. */
function twoUp(left: string, right: string): string {
  return `<table role="presentation" cellspacing="0" cellpadding="0" border="0" width="100%" style="border-collapse:collapse;width:100%"><tr><td valign="top" width="50%" style="vertical-align:top;padding:0 8px 8px 0">${left}</td><td valign="top" width="50%" style="vertical-align:top;padding:0 0 8px 8px">${right}</td></tr></table>`;
}

function coverageRows(health: IndexHealth): [string, string][] {
  const { coverage } = health;
  return [
    ['Vectors in the index', formatCount(coverage.vectors)],
    ['Embeddings (passages)', formatCount(coverage.embeddings)],
    ...(coverage.indexedDocuments === undefined ? [] : [['Documents in the index', formatCount(coverage.indexedDocuments)] satisfies [string, string]]),
    ...(coverage.embeddedDocuments === undefined ? [] : [['Documents embedded', formatCount(coverage.embeddedDocuments)] satisfies [string, string]]),
    ['Coverage (vectors / embeddings)', coverage.ratio === null ? '—' : formatPercent(coverage.ratio)],
    ['Documents', formatCount(coverage.documents)],
    ['Without an embedding', formatCount(coverage.withoutEmbedding)],
    ['Blank (never embedded)', formatCount(coverage.blank)],
  ];
}

function backlogRows(health: IndexHealth): [string, string][] {
  const { backlog } = health;
  return [
    ['Queue embedding_jobs', formatCount(backlog.embeddingJobs)],
    ['Queue vector_sync', formatCount(backlog.vectorSync)],
    ['Batches claimed (ids)', `${formatCount(backlog.batchesClaimed)} (${formatCount(backlog.idsClaimed)})`],
    ['Batches parked (ids)', `${formatCount(backlog.batchesParked)} (${formatCount(backlog.idsParked)})`],
    ['Open runs', formatCount(backlog.openRuns)],
    ['Chunks ready / in flight', `${formatCount(backlog.chunksReady)} / ${formatCount(backlog.chunksInFlight)}`],
    ['Dead letters', formatCount(backlog.deadLetters)],
    ['Parked events', formatCount(backlog.parkedEvents)],
  ];
}

function lagRows(health: IndexHealth): [string, string][] {
  const { lag } = health;
  return [
    ['Oldest change not yet indexed', lag.oldestSeconds === null ? 'none waiting' : seconds(lag.oldestSeconds)],
    ['p50 change to indexed', seconds(lag.p50Seconds)],
    ['p95 change to indexed', seconds(lag.p95Seconds)],
    ['Changes measured', formatCount(lag.count)],
  ];
}

function driftRows(health: IndexHealth): [string, string][] {
  const { drift } = health;
  return [
    ['Verify runs', formatCount(drift.verifyRuns)],
    ['Missing / stale / orphaned', `${formatCount(drift.missing)} / ${formatCount(drift.stale)} / ${formatCount(drift.orphaned)}`],
    ['Healed (queued again)', formatCount(drift.healed)],
  ];
}

/** One bar: a cell of `height` pixels filled with `colour` (a thin grey line for zero). */
function bar(value: number, largest: number, colour: string, label: string): string {
  const height = value > 0 && largest > 0 ? Math.max(2, Math.round((value / largest) * CHART_HEIGHT)) : 1;
  const fill = value > 0 ? colour : EMPTY_COLOUR;
  const filled = `<table role="presentation" cellspacing="0" cellpadding="0" border="0" width="100%"><tr><td height="${height}" bgcolor="${fill}" style="height:${height}px;background:${fill};font-size:0;line-height:0">&nbsp;</td></tr></table>`;
  return `<td valign="bottom" height="${CHART_HEIGHT}" width="24" title="${e(label)}" style="height:${CHART_HEIGHT}px;vertical-align:bottom;padding:0 1px">${filled}</td>`;
}

/** A bar chart of one value per bucket: a row of cells, and a row of times under every third bar. */
function chart(title: string, series: readonly Bucket[], value: (bucket: Bucket) => number, show: (value: number) => string, colour: string): string {
  const values = series.map(value);
  const largest = Math.max(0, ...values);
  const bars = series.map((bucket, i) => bar(values[i] ?? 0, largest, colour, `${clock(bucket.start)}–${clock(bucket.end)}: ${show(values[i] ?? 0)}`)).join('');
  const times = series.map((bucket, i) => `<td style="font-size:10px;line-height:12px;color:#6b7280;text-align:left;padding:2px 1px 0">${i % 3 === 0 ? e(clock(bucket.start)) : '&nbsp;'}</td>`).join('');
  const legend = `<td valign="top" width="120" style="vertical-align:top;font-size:12px;padding:0 8px 0 0">${e(title)}<br><span style="color:#6b7280">max ${e(show(largest))}</span></td>`;
  return `<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="border-collapse:collapse;margin:6px 0"><tr>${legend}${bars}</tr><tr><td>&nbsp;</td>${times}</tr></table>`;
}

/** The window's part: lag percentiles are in the lag table; here the chart, drift and rejections. */
function windowHtml(health: IndexHealth): string {
  if (quiet(health)) return paragraph(`Nothing happened in this window (${windowText(health)}): no vector indexed, no change measured, no drift, no rejection.`);
  const indexed = chart('Vectors indexed', health.series, (bucket) => bucket.indexed, formatCount, BAR_COLOUR);
  const lag = chart('p95 lag', health.series, (bucket) => bucket.p95LagSeconds ?? 0, (value) => (value > 0 ? seconds(value) : '—'), LAG_COLOUR);
  const rejections = health.rejections.length === 0
    ? paragraph('No vector was rejected in this window.')
    : facts('Rejected in this window', health.rejections.map((group) => [group.reason, formatCount(group.count)] as const));
  return `${paragraph(`Window ${windowText(health)}, UTC times.`)}${indexed}${lag}${twoUp(facts('Drift found by verify', driftRows(health)), rejections)}`;
}

/** The health section as an HTML fragment (mail-client safe; every value escaped). */
export function renderHealthHtml(health: IndexHealth): string {
  const intro = paragraph(`As of ${health.asOf}.`);
  const now = twoUp(facts('Coverage', coverageRows(health)), facts('Backlog', backlogRows(health)));
  const lag = facts('Lag', lagRows(health));
  return `<div class="index-health">${section(`Index health: ${heading(health)}`, `${intro}${now}${lag}${windowHtml(health)}`)}</div>`;
}

function textBar(value: number, largest: number): string {
  const length = value > 0 && largest > 0 ? Math.max(1, Math.round((value / largest) * TEXT_BAR)) : 0;
  return '#'.repeat(length).padEnd(TEXT_BAR);
}

function rowsText(rows: readonly (readonly [string, string])[]): string[] {
  return rows.map(([label, value]) => `  ${label.padEnd(32)} ${value}`);
}

/** The health section as plain text. */
export function renderHealthText(health: IndexHealth): string {
  const lines = [`Index health: ${heading(health)}, as of ${health.asOf}`, '', 'Coverage:', ...rowsText(coverageRows(health)), '', 'Backlog:', ...rowsText(backlogRows(health)), '', 'Lag:', ...rowsText(lagRows(health)), ''];
  if (quiet(health)) {
    lines.push(`Nothing happened in this window (${windowText(health)}).`);
  } else {
    const largest = Math.max(0, ...health.series.map((bucket) => bucket.indexed));
    lines.push(
      `Window ${windowText(health)} (UTC): vectors indexed and p95 lag per bucket`,
      ...health.series.map((bucket) => `  ${clock(bucket.start)} ${textBar(bucket.indexed, largest)} ${formatCount(bucket.indexed).padStart(9)}  p95 ${seconds(bucket.p95LagSeconds)}`),
      '',
      'Drift found by verify:',
      ...rowsText(driftRows(health)),
      '',
      'Rejected in this window:',
      ...(health.rejections.length === 0 ? ['  none'] : health.rejections.map((group) => `  ${group.reason}: ${formatCount(group.count)}`)),
    );
  }
  return `${lines.join('\n')}\n`;
}
