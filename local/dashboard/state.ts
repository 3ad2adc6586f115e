import type { Sql } from 'postgres';
import * as z from 'zod';
import { describeError } from '../../shared/errors';
import { ChunkRowSchema, DocumentStatuses, IndexRowSchema, Ledger } from '../../shared/ledger';
import type { DocumentStatus, IndexHealth } from '../../shared/ledger';
import type { Outbox } from '../resend';
import { DashboardDefaults } from './types';
import type { DashboardState, EmailSummary, ExtraEntry, ExtraPanels, PanelResult, StatusCount } from './types';

// postgres.js hands bigint and numeric as strings and timestamptz as a Date.
const count = z.union([z.number(), z.string()]).transform((value) => Number(value));
const time = z.date().nullable();

/** A row of the view `vector_sync.run_history` (the columns the dashboard shows). */
const RunHistoryRowSchema = z.object({
  run_id: z.string(),
  op: z.string(),
  index_name: z.string(),
  logical_name: z.string(),
  state: z.string(),
  requested_by: z.string().nullable(),
  chunk_count: z.number().nullable(),
  chunks_succeeded: count,
  chunks_failed: count,
  ids_total: count,
  upserted: count,
  deleted: count,
  skipped: count,
  rejected: count,
  failed: count,
  error: z.string().nullable(),
  accepted_at: z.date(),
  finished_at: time,
  duration_seconds: count.nullable(),
  report_sent: z.boolean(),
  report_message_id: z.string().nullable(),
  /** sent, digest (held for the index's digest) or archived-only; null while the report is due. */
  report_disposition: z.string().nullable(),
});
export type RunHistoryRow = z.infer<typeof RunHistoryRowSchema>;

/** The chunk columns the dashboard shows (the selector, which can hold thousands of ids, is left out). */
const ChunkPanelRowSchema = ChunkRowSchema.pick({ chunk_no: true, state: true, attempts: true, instance_id: true, command_id: true, result: true, error: true, dispatched_at: true, finished_at: true });
export type ChunkPanelRow = z.infer<typeof ChunkPanelRowSchema>;

/** A row of the view `vector_sync.queue_depth`. */
const QueueDepthRowSchema = z.object({ queue: z.string(), depth: count, visible: count, oldest_age_seconds: count.nullable() });
export type QueueDepthRow = z.infer<typeof QueueDepthRowSchema>;

/** A row of the view `vector_sync.dead_letter_counts`. */
const DeadLetterCountRowSchema = z.object({ queue: z.string(), archived: count, parked: count });
export type DeadLetterCountRow = z.infer<typeof DeadLetterCountRowSchema>;

/** A row of `vector_sync.dead_letters`. */
const DeadLetterRowSchema = z.object({
  id: count,
  queue: z.string(),
  msg_id: count,
  document_id: z.string().nullable(),
  read_ct: z.number(),
  step: z.string(),
  error: z.string(),
  failed_at: z.date(),
});
export type DeadLetterRow = z.infer<typeof DeadLetterRowSchema>;

/** A row of `vector_sync.indexes` joined with `vector_sync.index_stats`. */
const IndexStatsRowSchema = IndexRowSchema.extend({ created_at: z.date(), activated_at: time, total_vectors: count, last_synced_at: time });
export type IndexStatsRow = z.infer<typeof IndexStatsRowSchema>;

/**
 * Runs one read for a panel and parses every row; a failed query or an unexpected row becomes the
 * panel's error text, so one broken view never takes the page down.
 */
async function queryPanel<S extends z.ZodType>(schema: S, read: () => Promise<readonly unknown[]>): Promise<PanelResult<z.output<S>>> {
  try {
    const rows = await read();
    const parsed: z.output<S>[] = [];
    for (const row of rows) {
      const result = schema.safeParse(row);
      if (!result.success) {
        const issue = result.error.issues[0];
        return { ok: false, error: `unexpected row: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim() };
      }
      parsed.push(result.data);
    }
    return { ok: true, rows: parsed };
  } catch (error) {
    const { name, message } = describeError(error);
    return { ok: false, error: `${name}: ${message}` };
  }
}

/** Runs typed ledger reads for a panel; a failure becomes the panel's error, as in queryPanel. */
async function readPanel<T>(read: () => Promise<readonly T[]>): Promise<PanelResult<T>> {
  try {
    return { ok: true, rows: await read() };
  } catch (error) {
    const { name, message } = describeError(error);
    return { ok: false, error: `${name}: ${message}` };
  }
}

const LogicalNameRowSchema = z.object({ logical_name: z.string() });

/**
 * The health of every logical index that is not dropped, over the last `windowMs` (the same
 * figures as the report's health section, from `Ledger.indexHealth`).
 */
async function readHealth(sql: Sql, ledger: Ledger, windowMs: number): Promise<PanelResult<IndexHealth>> {
  const names = await queryPanel(LogicalNameRowSchema, () => sql`
    select distinct logical_name from vector_sync.indexes where state <> 'dropped' order by logical_name limit ${DashboardDefaults.limits.logicalIndexes}`);
  if (!names.ok) return names;
  const until = new Date();
  const since = new Date(until.getTime() - windowMs);
  return readPanel(async () => {
    const healths: IndexHealth[] = [];
    for (const { logical_name } of names.rows) healths.push(await ledger.indexHealth(logical_name, { since, until }));
    return healths;
  });
}

/** The panels that read every document: the health of each logical index and the status counts. */
interface WholeTableReads {
  readonly health: PanelResult<IndexHealth>;
  readonly statusCounts: PanelResult<StatusCount>;
}

/**
 * Keeps the whole-table reads for `everyMs`: the page polls every couple of seconds, and on PGlite
 * (one backend for every connection) reading every document that often would slow the pipeline
 * down. Requests that arrive together share one read.
 */
export class WholeTableCache {
  private last: { readonly at: number; readonly reads: Promise<WholeTableReads> } | undefined;

  constructor(private readonly everyMs: number) {}

  read(load: () => Promise<WholeTableReads>): Promise<WholeTableReads> {
    const now = Date.now();
    if (this.last !== undefined && now - this.last.at < this.everyMs) return this.last.reads;
    const reads = load();
    this.last = { at: now, reads };
    return reads;
  }
}

/** Documents per status, every status listed (0 when none). */
function readStatusCounts(ledger: Ledger): Promise<PanelResult<StatusCount>> {
  return readPanel(async () => {
    const counts = await ledger.documentStatusCounts();
    return DocumentStatuses.map((status) => ({ status, count: counts[status] }));
  });
}

const EmailSummarySchema = z.object({ id: z.uuid(), subject: z.string(), from: z.string(), to: z.array(z.string()), createdAt: z.string(), href: z.string() });

/** The newest messages of the outbox first, at most `limit`, each with the link to its HTML. */
function readEmails(outbox: Outbox, limit: number = DashboardDefaults.limits.emails): Promise<PanelResult<EmailSummary>> {
  return queryPanel(EmailSummarySchema, async () => {
    const entries = await outbox.list();
    return entries
      .slice(-limit)
      .reverse()
      .map(({ email }) => ({ id: email.id, subject: email.subject, from: email.from, to: email.to, createdAt: email.created_at, href: `/emails/${email.id}` }));
  });
}

const ExtraSchema = z.record(z.string(), z.unknown());
const EntrySchema = z.object({ name: z.string(), value: z.unknown() });

/** The caller's extra values as name/value rows; a throw or a non-object becomes the panel's error. */
function readExtra(extra: ExtraPanels): Promise<PanelResult<ExtraEntry>> {
  return queryPanel(EntrySchema, async () => {
    const values = ExtraSchema.parse(await extra());
    return Object.entries(values)
      .slice(0, DashboardDefaults.limits.extraEntries)
      .map(([name, value]) => ({ name, value }));
  });
}

/** Where the dashboard reads from. */
export interface StateSources {
  readonly sql: Sql;
  readonly outbox: Outbox;
  readonly extra?: ExtraPanels;
  /** Keeps the health and the status counts for a while (default: read on every request). */
  readonly wholeTable?: WholeTableCache;
}

/** What a request asks the dashboard for. */
export interface StateQuery {
  /** The run whose chunks are shown (default: the latest). */
  readonly runId?: string;
  /** A document to look up in `vector_sync.document_status`. */
  readonly documentId?: string;
}

/**
 * Reads every panel: small, bounded, read-only queries, one after the other (PGlite serialises
 * them anyway) and outside any transaction. The health and the status counts read every document
 * once (docs/architecture.md, "Index health and document status", says what they cost), so
 * `sources.wholeTable` may keep them for a while.
 */
export async function readState(sources: StateSources, query: StateQuery = {}): Promise<DashboardState> {
  const { sql } = sources;
  const { runId, documentId } = query;
  const ledger = new Ledger(sql);
  const { limits } = DashboardDefaults;
  const runs = await queryPanel(RunHistoryRowSchema, () => sql`
    select h.run_id, h.op, h.index_name, h.logical_name, h.state, h.requested_by, h.chunk_count, h.chunks_succeeded, h.chunks_failed,
      h.ids_total, h.upserted, h.deleted, h.skipped, h.rejected, h.failed, h.error, h.accepted_at, h.finished_at, h.duration_seconds,
      h.report_sent, h.report_message_id, r.report_disposition
    from vector_sync.run_history as h join vector_sync.runs as r using (run_id)
    order by h.accepted_at desc, h.run_id limit ${limits.runs}`);
  const selectedRunId = runId ?? (runs.ok ? runs.rows[0]?.run_id ?? null : null);
  const chunks = selectedRunId === null
    ? { ok: true as const, rows: [] }
    : await queryPanel(ChunkPanelRowSchema, () => sql`
      select chunk_no, state, attempts, instance_id, command_id, result, error, dispatched_at, finished_at
      from vector_sync.chunks where run_id = ${selectedRunId} order by chunk_no limit ${limits.chunks}`);
  const queues = await queryPanel(QueueDepthRowSchema, () => sql`select queue, depth, visible, oldest_age_seconds from vector_sync.queue_depth order by queue limit 10`);
  const deadLetterCounts = await queryPanel(DeadLetterCountRowSchema, () => sql`select queue, archived, parked from vector_sync.dead_letter_counts order by queue limit 10`);
  const deadLetters = await queryPanel(DeadLetterRowSchema, () => sql`
    select id, queue, msg_id, document_id, read_ct, step, error, failed_at
    from vector_sync.dead_letters order by failed_at desc, id desc limit ${limits.deadLetters}`);
  const indexes = await queryPanel(IndexStatsRowSchema, () => sql`
    select i.index_name, i.logical_name, i.bucket, i.dimension, i.metric, i.state, i.created_at, i.activated_at,
      s.total_vectors, s.last_synced_at
    from vector_sync.indexes as i cross join lateral vector_sync.index_stats(i.index_name) as s
    order by (i.state = 'active') desc, i.created_at desc limit ${limits.indexes}`);
  const load = async (): Promise<WholeTableReads> => ({ health: await readHealth(sql, ledger, DashboardDefaults.healthWindowMs), statusCounts: await readStatusCounts(ledger) });
  const { health, statusCounts } = await (sources.wholeTable?.read(load) ?? load());
  const document: PanelResult<DocumentStatus> | null = documentId === undefined ? null : await readPanel(() => ledger.documentStatus(documentId));
  const emails = await readEmails(sources.outbox);
  const extra = sources.extra === undefined ? null : await readExtra(sources.extra);
  return {
    generatedAt: new Date().toISOString(), selectedRunId, runs, chunks, queues, deadLetterCounts, deadLetters, indexes,
    health, statusCounts, documentId: documentId ?? null, document, emails, extra,
  };
}
