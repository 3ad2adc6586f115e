import * as z from 'zod';
import { escapeHtml, formatCount, formatDuration, renderHealthHtml } from '../../shared/report';
import type { RunHistoryRow } from './state';
import type { CellView, DashboardState, PanelResult, PanelView, RowView } from './types';

/** The panels of the page, in display order; each id is also the id of its `<table>`. */
const PanelIds = {
  health: 'health',
  runs: 'runs',
  chunks: 'chunks',
  queues: 'queues',
  deadLetterCounts: 'dead-letter-counts',
  deadLetters: 'dead-letters',
  indexes: 'indexes',
  documentStatus: 'document-status',
  document: 'document',
  emails: 'emails',
  extra: 'extra',
} as const;

const DASH = '—';

/** How the dashboard prints values: times in UTC to the second, counts with separators, a dash for nothing. */
const formatCell = {
  time(value: Date | string | null | undefined): string {
    if (value === null || value === undefined) return DASH;
    const date = typeof value === 'string' ? new Date(value) : value;
    return Number.isNaN(date.getTime()) ? DASH : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  },
  count(value: number | null | undefined): string {
    return value === null || value === undefined ? DASH : formatCount(value);
  },
  seconds(value: number | null | undefined): string {
    return value === null || value === undefined ? DASH : formatDuration(value * 1000);
  },
  text(value: string | null | undefined): string {
    return value === null || value === undefined || value === '' ? DASH : value;
  },
  /** Any value, for the caller's extra panel: strings as they are, the rest as JSON. */
  value(value: unknown): string {
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? String(value);
  },
} as const;

/** Turns a panel's rows (or its error) into a PanelView. */
function buildPanel<T>(head: { readonly id: string; readonly title: string; readonly columns: readonly string[]; readonly empty: string }, result: PanelResult<T> | null, toRow: (row: T) => RowView): PanelView {
  if (result === null) return { ...head, rows: [], error: null };
  if (!result.ok) return { ...head, rows: [], error: result.error };
  return { ...head, rows: result.rows.map(toRow), error: null };
}

const MessageIdSchema = z.uuid();
const FINAL_STATES = new Set(['completed', 'failed']);

function reportCell(run: RunHistoryRow): CellView {
  if (run.report_sent) {
    const id = run.report_message_id ?? '';
    return MessageIdSchema.safeParse(id).success ? { text: 'sent', href: `/emails/${id}` } : 'sent';
  }
  // Archived in OSS either way: held for the index's digest, or e-mailed to no one (REPORT_POLICY).
  if (run.report_disposition === 'digest') return 'in digest';
  if (run.report_disposition === 'archived-only') return 'archived';
  return FINAL_STATES.has(run.state) ? 'due' : formatCell.text(null);
}

/** The latest runs, newest first; the selected run's row is marked. */
function runsPanel(state: DashboardState): PanelView {
  const head = {
    id: PanelIds.runs,
    title: 'Runs',
    columns: ['Run', 'Op', 'Index', 'State', 'Upserted', 'Deleted', 'Unchanged', 'Rejected', 'Failed', 'Chunks', 'Started', 'Duration', 'Report'],
    empty: 'No runs yet.',
  };
  return buildPanel(head, state.runs, (run) => ({
    data: { 'run-id': run.run_id, state: run.state },
    selected: run.run_id === state.selectedRunId,
    cells: [
      { text: run.run_id.slice(0, 8), href: `/?run=${run.run_id}` },
      run.op,
      run.index_name,
      run.error === null ? run.state : `${run.state}: ${run.error}`,
      formatCell.count(run.upserted),
      formatCell.count(run.deleted),
      formatCell.count(run.skipped),
      formatCell.count(run.rejected),
      formatCell.count(run.failed),
      `${formatCell.count(run.chunks_succeeded + run.chunks_failed)}/${formatCell.count(run.chunk_count)}`,
      formatCell.time(run.accepted_at),
      formatCell.seconds(run.duration_seconds),
      reportCell(run),
    ],
  }));
}

const COUNT_KEYS = ['upserted', 'deleted', 'skipped', 'rejected', 'failed'] as const;

function countOf(result: Readonly<Record<string, unknown>> | null, key: string): string {
  const value = result?.[key];
  return typeof value === 'number' ? formatCell.count(value) : formatCell.text(null);
}

/** The chunks of the selected run, in order. */
function chunksPanel(state: DashboardState): PanelView {
  const head = {
    id: PanelIds.chunks,
    title: state.selectedRunId === null ? 'Chunks' : `Chunks of run ${state.selectedRunId}`,
    columns: ['Chunk', 'State', 'Attempts', 'Instance', 'Upserted', 'Deleted', 'Unchanged', 'Rejected', 'Failed', 'Dispatched', 'Finished', 'Error'],
    empty: state.selectedRunId === null ? 'No run selected.' : 'This run has no chunks yet.',
  };
  return buildPanel(head, state.chunks, (chunk) => ({
    data: { 'chunk-no': String(chunk.chunk_no), state: chunk.state },
    cells: [
      String(chunk.chunk_no),
      chunk.state,
      String(chunk.attempts),
      formatCell.text(chunk.instance_id),
      ...COUNT_KEYS.map((key) => countOf(chunk.result, key)),
      formatCell.time(chunk.dispatched_at),
      formatCell.time(chunk.finished_at),
      formatCell.text(chunk.error),
    ],
  }));
}

/** Registered indexes, the active ones first, with TotalVectors from `index_stats`. */
function indexesPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.indexes, title: 'Indexes', columns: ['Index', 'Logical name', 'Bucket', 'Dimension', 'Metric', 'State', 'TotalVectors', 'Last synced'], empty: 'No indexes registered.' };
  return buildPanel(head, state.indexes, (row) => ({
    data: { 'index-name': row.index_name, state: row.state },
    cells: [row.index_name, row.logical_name, row.bucket, String(row.dimension), row.metric, row.state, formatCell.count(row.total_vectors), formatCell.time(row.last_synced_at)],
  }));
}

/** Queue depths, dead-letter counts per queue and the latest dead letters. */
function queuePanels(state: DashboardState): PanelView[] {
  const queues = buildPanel({ id: PanelIds.queues, title: 'Queue depths', columns: ['Queue', 'Messages', 'Visible', 'Oldest'], empty: 'No queues.' }, state.queues, (row) => ({
    data: { queue: row.queue },
    cells: [row.queue, formatCell.count(row.depth), formatCell.count(row.visible), formatCell.seconds(row.oldest_age_seconds)],
  }));
  const counts = buildPanel({ id: PanelIds.deadLetterCounts, title: 'Dead letters per queue', columns: ['Queue', 'Archived', 'Parked'], empty: 'No queues.' }, state.deadLetterCounts, (row) => ({
    data: { queue: row.queue },
    cells: [row.queue, formatCell.count(row.archived), formatCell.count(row.parked)],
  }));
  const latest = buildPanel({ id: PanelIds.deadLetters, title: 'Latest dead letters', columns: ['Failed at', 'Queue', 'Message', 'Document', 'Reads', 'Step', 'Error'], empty: 'No dead letters.' }, state.deadLetters, (row) => ({
    data: { 'dead-letter-id': String(row.id) },
    cells: [formatCell.time(row.failed_at), row.queue, String(row.msg_id), formatCell.text(row.document_id), String(row.read_ct), row.step, row.error],
  }));
  return [queues, counts, latest];
}

/** The health of each logical index over the last hour, drawn by the report's renderer (the e-mail's figures). */
function healthPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.health, title: 'Health over the last hour', columns: [], rows: [], empty: 'No index registered yet.' };
  if (!state.health.ok) return { ...head, error: state.health.error };
  return { ...head, error: null, html: state.health.rows.map(renderHealthHtml).join('') };
}

/** Documents per status (vector_sync.document_status). */
function documentStatusPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.documentStatus, title: 'Documents per status', columns: ['Status', 'Documents'], empty: 'No documents.' };
  return buildPanel(head, state.statusCounts, (row) => ({ data: { status: row.status }, cells: [row.status, formatCell.count(row.count)] }));
}

/** The document asked for with `?document=`: its status, reason and last run. */
function documentPanel(state: DashboardState): PanelView {
  const head = {
    id: PanelIds.document,
    title: state.documentId === null ? 'Document lookup' : `Document ${state.documentId}`,
    columns: ['Document', 'Index', 'Status', 'Reason', 'Indexed at', 'Embedded at', 'Document updated', 'Last run', 'Last outcome'],
    empty: state.documentId === null ? 'Look a document up with the form at the top (or ?document=<id>).' : 'No document and no ledger record has this id.',
  };
  return buildPanel(head, state.document, (row) => ({
    data: { 'document-id': row.document_id, status: row.status },
    cells: [
      row.document_id,
      formatCell.text(row.index_name),
      row.status,
      formatCell.text(row.reason),
      formatCell.time(row.indexed_at),
      formatCell.time(row.embedded_at),
      formatCell.time(row.document_updated_at),
      row.last_run_id === null ? formatCell.text(null) : { text: row.last_run_id.slice(0, 8), href: `/?run=${row.last_run_id}` },
      formatCell.text(row.last_outcome),
    ],
  }));
}

/** The outbox, newest first, each subject linking to the stored HTML. */
function emailsPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.emails, title: 'E-mails', columns: ['Sent', 'Subject', 'To'], empty: 'No e-mails yet.' };
  return buildPanel(head, state.emails, (email) => ({
    data: { 'email-id': email.id },
    cells: [formatCell.time(email.createdAt), { text: email.subject, href: email.href }, email.to.join(', ')],
  }));
}

/** The caller's extra values, or nothing when the caller gave none. */
function extraPanel(state: DashboardState): PanelView[] {
  if (state.extra === null) return [];
  const head = { id: PanelIds.extra, title: 'More', columns: ['Name', 'Value'], empty: 'Nothing to show.' };
  return [buildPanel(head, state.extra, (entry) => ({ data: { name: entry.name }, cells: [entry.name, formatCell.value(entry.value)] }))];
}

/** Every panel of the page, in display order. */
export function toPanels(state: DashboardState): PanelView[] {
  return [healthPanel(state), runsPanel(state), chunksPanel(state), indexesPanel(state), ...queuePanels(state), documentStatusPanel(state), documentPanel(state), emailsPanel(state), ...extraPanel(state)];
}

const DATA_KEY = /^[a-z][a-z0-9-]*$/u;

function renderCell(cell: CellView): string {
  if (typeof cell === 'string') return `<td>${escapeHtml(cell)}</td>`;
  return `<td><a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a></td>`;
}

function renderRow(row: RowView): string {
  const data = Object.entries(row.data)
    .filter(([key]) => DATA_KEY.test(key))
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  return `<tr${row.selected === true ? ' class="selected"' : ''}${data}>${row.cells.map(renderCell).join('')}</tr>`;
}

/**
 * One panel as HTML: a section with its title and either an error box, a table whose id is the
 * panel id, or the renderer's fragment in a div of that id. The page script (page.ts) builds the
 * very same structure from `/api/state`.
 */
export function renderPanel(panel: PanelView): string {
  const id = escapeHtml(panel.id);
  const title = `<h2>${escapeHtml(panel.title)}</h2>`;
  if (panel.error !== null) {
    return `<section class="panel" id="panel-${id}" data-panel="${id}">${title}<div class="error" role="alert" data-panel-error="${id}">${escapeHtml(panel.error)}</div></section>`;
  }
  if (panel.html !== undefined) {
    // Escaped by the renderer that wrote it (shared/report); see PanelView.html.
    const empty = panel.html === '' ? `<p class="empty">${escapeHtml(panel.empty)}</p>` : '';
    return `<section class="panel" id="panel-${id}" data-panel="${id}">${title}<div class="fragment" id="${id}">${panel.html}</div>${empty}</section>`;
  }
  const head = `<thead><tr>${panel.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${panel.rows.map(renderRow).join('')}</tbody>`;
  const empty = panel.rows.length === 0 ? `<p class="empty">${escapeHtml(panel.empty)}</p>` : '';
  return `<section class="panel" id="panel-${id}" data-panel="${id}">${title}<table id="${id}">${head}${body}</table>${empty}</section>`;
}
