// The digest: one e-mail per logical index and window that sums the change-driven runs held for
// it and links each run's archived report. Its windows, its model and how the model is built from
// the ledger's rows; renderDigest.ts draws it.
import type { DigestRunRow } from '../ledger';
import type { RunOutcome } from './types';

/** The bounds of REPORT_DIGEST_MINUTES: a minute to a day. */
export const DigestWindowMinutes = { min: 1, max: 1440 } as const;

/** A digest window: [start, end), `minutes` long, starting at a multiple of `minutes` since the epoch. */
export interface DigestWindow {
  readonly start: Date;
  readonly end: Date;
  readonly minutes: number;
}

function windowLengthMs(minutes: number): number {
  if (!Number.isInteger(minutes) || minutes < DigestWindowMinutes.min || minutes > DigestWindowMinutes.max) {
    throw new RangeError(`a digest window is ${DigestWindowMinutes.min} to ${DigestWindowMinutes.max} whole minutes long, not ${minutes}`);
  }
  return minutes * 60_000;
}

/** The window of `minutes` that holds `at` (the same arithmetic as `vector_sync.digest_window_start`). */
export function digestWindowAt(at: Date, minutes: number): DigestWindow {
  const length = windowLengthMs(minutes);
  const start = Math.floor(at.getTime() / length) * length;
  return { start: new Date(start), end: new Date(start + length), minutes };
}

/** The latest window that has ended by `now`: the one before the window `now` is in. */
export function lastEndedDigestWindow(now: Date, minutes: number): DigestWindow {
  const current = digestWindowAt(now, minutes);
  return digestWindowAt(new Date(current.start.getTime() - 1), minutes);
}

/** One run as the digest lists it. */
export interface DigestRunLine {
  readonly runId: string;
  readonly op: string;
  /** The physical generation the run wrote to. */
  readonly indexName: string;
  readonly outcome: RunOutcome;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly ids: number;
  readonly chunks: number;
  readonly upserted: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly failed: number;
  /** Where the run's report is archived in OSS. */
  readonly archiveKey?: string;
  /** Presigned link to the archived report. */
  readonly reportUrl?: string;
}

/** The sums of a digest's runs. */
export interface DigestTotals {
  readonly runs: number;
  readonly ids: number;
  readonly upserted: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly failed: number;
  readonly chunks: number;
  /** The runs' durations added up. */
  readonly durationMs: number;
  readonly longestMs: number;
}

/**
 * Everything a digest says. It has no health figures of its own: sections such as the index's
 * health are rendered by their owners and handed to `renderDigest` beside it.
 */
export interface DigestReport {
  readonly logicalName: string;
  readonly window: { readonly start: string; readonly end: string; readonly minutes: number };
  readonly totals: DigestTotals;
  /** Every run held for the window, in the order they finished. */
  readonly runs: readonly DigestRunLine[];
  readonly generatedAt: string;
  /** Presigned link to the archived copy of the digest. */
  readonly archiveUrl?: string;
}

/** Sums the runs of a digest. */
export function digestTotals(runs: readonly DigestRunLine[]): DigestTotals {
  const zero: DigestTotals = { runs: 0, ids: 0, upserted: 0, deleted: 0, unchanged: 0, rejected: 0, failed: 0, chunks: 0, durationMs: 0, longestMs: 0 };
  return runs.reduce(
    (sum, run) => ({
      runs: sum.runs + 1,
      ids: sum.ids + run.ids,
      upserted: sum.upserted + run.upserted,
      deleted: sum.deleted + run.deleted,
      unchanged: sum.unchanged + run.unchanged,
      rejected: sum.rejected + run.rejected,
      failed: sum.failed + run.failed,
      chunks: sum.chunks + run.chunks,
      durationMs: sum.durationMs + run.durationMs,
      longestMs: Math.max(sum.longestMs, run.durationMs),
    }),
    zero,
  );
}

/** A held run's row as a line of the digest, with the link to its report when there is one. */
export function digestRunLine(row: DigestRunRow, reportUrl?: string): DigestRunLine {
  return {
    runId: row.run_id,
    op: row.op,
    indexName: row.index_name,
    outcome: row.state,
    startedAt: row.accepted_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    durationMs: Math.max(0, row.finished_at.getTime() - row.accepted_at.getTime()),
    ids: row.ids_total,
    chunks: row.chunk_count ?? 0,
    upserted: row.upserted,
    deleted: row.deleted,
    unchanged: row.skipped,
    rejected: row.rejected,
    failed: row.failed,
    ...(row.report_archive_key ? { archiveKey: row.report_archive_key } : {}),
    ...(reportUrl ? { reportUrl } : {}),
  };
}

/** The digest of one index and window from the runs held for it. */
export function buildDigestReport(input: { logicalName: string; window: DigestWindow; runs: readonly DigestRunLine[]; generatedAt: Date; archiveUrl?: string }): DigestReport {
  return {
    logicalName: input.logicalName,
    window: { start: input.window.start.toISOString(), end: input.window.end.toISOString(), minutes: input.window.minutes },
    totals: digestTotals(input.runs),
    runs: input.runs,
    generatedAt: input.generatedAt.toISOString(),
    ...(input.archiveUrl ? { archiveUrl: input.archiveUrl } : {}),
  };
}
