import type { Sql } from 'postgres';
import type { DocumentStatus, DocumentStatusName, IndexHealth } from '../../shared/ledger';
import type { Logger } from '../../shared/logging';
import type { Outbox } from '../resend';
import type { ChunkPanelRow, DeadLetterCountRow, DeadLetterRow, IndexStatsRow, QueueDepthRow, RunHistoryRow } from './state';

/** Defaults of the local dashboard: where it listens, how often the page polls, how much it reads. */
export const DashboardDefaults = {
  host: '127.0.0.1',
  pollIntervalMs: 2000,
  /** The health panel looks back this far (the run report looks back as far). */
  healthWindowMs: 60 * 60 * 1000,
  /** The health and the status counts read every document: read again at most this often. */
  healthRefreshMs: 15_000,
  limits: {
    logicalIndexes: 10,
    runs: 50,
    chunks: 200,
    deadLetters: 20,
    indexes: 50,
    emails: 50,
    extraEntries: 50,
  },
} as const;

/** Extra panels from the caller: name -> value (e.g. EventBridge dead letters). */
export type ExtraPanels = () => Promise<Record<string, unknown>> | Record<string, unknown>;

/** What `startDashboard` needs. */
export interface DashboardOptions {
  /** A postgres.js pool on the Supabase Postgres (see createSql in shared/ledger). */
  readonly sql: Sql;
  /** The Resend emulator's outbox, or its folder. */
  readonly outbox: Outbox | string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly extra?: ExtraPanels;
  /** How often the page polls `/api/state`; default 2000 ms. */
  readonly pollIntervalMs?: number;
  /** How long the health and the documents-per-status counts are kept; default 15,000 ms, 0 reads them on every request. */
  readonly healthRefreshMs?: number;
  /** Where request failures are logged (JSON lines); default stdout. */
  readonly logger?: Logger;
}

/** A running dashboard. */
export interface Dashboard {
  /** e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The rows of one panel, or why they could not be read. */
export type PanelResult<T> = { readonly ok: true; readonly rows: readonly T[] } | { readonly ok: false; readonly error: string };

/** One message of the outbox, as the e-mails panel lists it. */
export interface EmailSummary {
  readonly id: string;
  readonly subject: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly createdAt: string;
  readonly href: string;
}

/** How many documents are in one status. */
export interface StatusCount {
  readonly status: DocumentStatusName;
  readonly count: number;
}

/** One entry of the caller's extra panel. */
export interface ExtraEntry {
  readonly name: string;
  readonly value: unknown;
}

/** Everything the dashboard shows, as read at `generatedAt`. */
export interface DashboardState {
  readonly generatedAt: string;
  /** The run whose chunks are shown: the one asked for, else the latest. */
  readonly selectedRunId: string | null;
  readonly runs: PanelResult<RunHistoryRow>;
  readonly chunks: PanelResult<ChunkPanelRow>;
  readonly queues: PanelResult<QueueDepthRow>;
  readonly deadLetterCounts: PanelResult<DeadLetterCountRow>;
  readonly deadLetters: PanelResult<DeadLetterRow>;
  readonly indexes: PanelResult<IndexStatsRow>;
  /** One per logical index that is not dropped. */
  readonly health: PanelResult<IndexHealth>;
  readonly statusCounts: PanelResult<StatusCount>;
  /** The document asked for with `?document=`, and its status rows (null when none was asked for). */
  readonly documentId: string | null;
  readonly document: PanelResult<DocumentStatus> | null;
  readonly emails: PanelResult<EmailSummary>;
  readonly extra: PanelResult<ExtraEntry> | null;
}

/** A table cell: text, or a link. */
export type CellView = string | { readonly text: string; readonly href: string };

/** A table row: its cells and the `data-*` attributes a test or the script can find it by. */
export interface RowView {
  readonly data: Readonly<Record<string, string>>;
  readonly cells: readonly CellView[];
  readonly selected?: boolean;
}

/** A panel ready to draw: the server renders it to HTML, the page script to DOM nodes. */
export interface PanelView {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly RowView[];
  readonly error: string | null;
  readonly empty: string;
  /**
   * A panel drawn by a report renderer instead of a table: HTML that renderer escaped already
   * (shared/report's renderHealthHtml); empty when there is nothing to show.
   */
  readonly html?: string;
}

/** The body of `GET /api/state`: the data and the panels drawn from it. */
export interface ApiState extends DashboardState {
  readonly panels: readonly PanelView[];
}
