// notify: on vectorsync.run.completed, the run's report is built once and archived in OSS (HTML
// and JSON); REPORT_POLICY then decides whether it is e-mailed at once, held for the index's
// digest (sent by digest.ts) or only archived. The ledger records the decision once per run.
import type { OssObjectStore } from '../clients/oss';
import { uploadReportArchive } from '../clients/oss';
import { ResendIdempotencyError } from '../clients/resend';
import type { Mailer } from '../clients/resend';
import { ReportPolicy } from '../config';
import { PermanentError } from '../errors';
import { LedgerRefusedError, ReportDisposition } from '../ledger';
import type { Ledger, RunRow } from '../ledger';
import type { Logger } from '../logging';
import { buildRunReport, renderReport } from '../report';
import type { RenderedReport, RunOutcome } from '../report';

/** How long a link to an archived report or digest is valid: 7 days, OSS's maximum. */
const REPORT_LINK_SECONDS = 7 * 24 * 3600;

/** Content type of the archived JSON. */
const REPORT_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** run.completed named a run that is not completed or failed: the event is wrong, not late. */
export class RunNotFinishedError extends PermanentError {}

/** What notify needs for run reports and digests. */
export interface NotifyDeps {
  readonly ledger: Ledger;
  readonly store: OssObjectStore;
  /** Signs the e-mail's archive links when set (a read-only key, so the links outlive STS keys); else `store` does. */
  readonly linkSigner?: Pick<OssObjectStore, 'presignGet'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly log: Logger;
  readonly settings: {
    readonly from: string;
    readonly to: readonly string[];
    /** Key prefix of the archive in the bucket, e.g. `reports/`. */
    readonly prefix: string;
    readonly policy: ReportPolicy;
    /** REPORT_DIGEST_MINUTES: the length of a digest window. */
    readonly digestMinutes: number;
  };
}

/** What notify did with a run's report. */
export type RunReportResult =
  | { readonly status: 'already-settled'; readonly runId: string; readonly disposition: ReportDisposition }
  | { readonly status: 'sent'; readonly runId: string; readonly messageId: string; readonly archiveKey: string; readonly outcome: RunOutcome }
  | { readonly status: 'held-for-digest'; readonly runId: string; readonly archiveKey: string; readonly windowStart: string }
  | { readonly status: 'archived'; readonly runId: string; readonly archiveKey: string; readonly outcome: RunOutcome };

/** A change-driven run: a sync opened from a change batch. Manual syncs, rebuilds and verifies have none. */
export function isChangeDriven(run: Pick<RunRow, 'batch_id'>): boolean {
  return run.batch_id !== null;
}

/**
 * The report policy: failed runs are e-mailed at once under every policy; manual runs under
 * `digest` and `every-run`; change-driven syncs only under `every-run`, held for the digest under
 * `digest`. The rest is archived only.
 */
export function reportDisposition(policy: ReportPolicy, run: { readonly outcome: RunOutcome; readonly changeDriven: boolean }): ReportDisposition {
  if (run.outcome === 'failed') return ReportDisposition.Sent;
  switch (policy) {
    case ReportPolicy.EveryRun:
      return ReportDisposition.Sent;
    case ReportPolicy.FailuresOnly:
      return ReportDisposition.ArchivedOnly;
    case ReportPolicy.Digest:
      return run.changeDriven ? ReportDisposition.Digest : ReportDisposition.Sent;
  }
}

/**
 * Where a report is archived: `<prefix><folder><yyyy>/<mm>/<name>.<ext>`, by the month (UTC) of
 * `at`, so a redelivery writes the same key.
 */
export function archiveKey(prefix: string, at: Date, name: string, ext: 'html' | 'json', folder = ''): string {
  const yyyy = String(at.getUTCFullYear()).padStart(4, '0');
  const mm = String(at.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}${folder}${yyyy}/${mm}/${name}.${ext}`;
}

/** A presigned link (7 days) to an archived object, signed with the report-link key when there is one. */
export function archiveLink(deps: Pick<NotifyDeps, 'store' | 'linkSigner'>, key: string): Promise<string> {
  // Presigning is a local computation: the link can be made before the object exists.
  return (deps.linkSigner ?? deps.store).presignGet(key, REPORT_LINK_SECONDS);
}

/** Archives a rendered report's HTML and the JSON of its model beside it (same key, `.json`). */
export async function archiveRendered(store: OssObjectStore, htmlKey: string, html: string, model: unknown, meta: Readonly<Record<string, string>>): Promise<void> {
  await uploadReportArchive(store, htmlKey, html, meta);
  await store.put(htmlKey.replace(/\.html$/u, '.json'), JSON.stringify(model, null, 2), { contentType: REPORT_JSON_CONTENT_TYPE, meta });
}

/**
 * E-mails a rendered report under an idempotency key and answers Resend's message id. A key
 * Resend refuses as used with another payload means an earlier delivery sent this very mail (with
 * links signed at another second) and died before recording it: it went out.
 */
export async function sendReportMail(deps: Pick<NotifyDeps, 'mailer' | 'log' | 'settings'>, mail: RenderedReport, idempotencyKey: string): Promise<string> {
  try {
    const sent = await deps.mailer.send({ from: deps.settings.from, to: [...deps.settings.to], subject: mail.subject, html: mail.html, text: mail.text }, { idempotencyKey });
    return sent.id;
  } catch (error) {
    if (!(error instanceof ResendIdempotencyError) || error.resendName !== 'invalid_idempotent_request') throw error;
    deps.log.warn('the e-mail was sent by an earlier delivery', { idempotencyKey });
    return `idempotent:${idempotencyKey}`;
  }
}

/**
 * Settles a finished run's report once: builds and renders it once, archives the HTML and JSON in
 * OSS, then, as the report policy says, e-mails it at once (idempotency key `run-report/<runId>`,
 * with a 7-day link to the archived copy), holds it for the digest of its index and window, or
 * leaves it archived only. A run already settled is a no-op.
 */
export async function reportRun(deps: NotifyDeps, runId: string): Promise<RunReportResult> {
  const run = await deps.ledger.run(runId);
  if (!run) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
  if (run.report_disposition) return { status: 'already-settled', runId, disposition: run.report_disposition };
  if (run.state !== 'completed' && run.state !== 'failed') {
    throw new RunNotFinishedError(`run ${runId} is ${run.state}; a report is sent only for a completed or failed run`, { code: 'RunNotFinished', details: { runId, state: run.state } });
  }
  const report = await buildRunReport(deps.ledger, runId);
  const disposition = reportDisposition(deps.settings.policy, { outcome: report.outcome, changeDriven: isChangeDriven(run) });
  const htmlKey = archiveKey(deps.settings.prefix, new Date(report.finishedAt), runId, 'html');
  // Only an e-mail links its archived copy; the digest links the archive of a held report itself.
  const mail = renderReport(disposition === ReportDisposition.Sent ? { ...report, archiveUrl: await archiveLink(deps, htmlKey) } : report);
  await archiveRendered(deps.store, htmlKey, mail.html, report, { runid: runId, outcome: report.outcome });
  const messageId = disposition === ReportDisposition.Sent ? await sendReportMail(deps, mail, `run-report/${runId}`) : undefined;
  const settled = await deps.ledger.settleReport({
    runId,
    disposition,
    archiveKey: htmlKey,
    ...(messageId === undefined ? {} : { messageId }),
    ...(disposition === ReportDisposition.Digest ? { digestMinutes: deps.settings.digestMinutes } : {}),
  });
  if (!settled.settled) return { status: 'already-settled', runId, disposition: settled.disposition };
  deps.log.info('run report settled', { runId, outcome: report.outcome, disposition, archiveKey: htmlKey, ...(messageId ? { messageId } : {}) });
  if (messageId !== undefined) return { status: 'sent', runId, messageId, archiveKey: htmlKey, outcome: report.outcome };
  if (settled.windowStart) return { status: 'held-for-digest', runId, archiveKey: htmlKey, windowStart: settled.windowStart.toISOString() };
  return { status: 'archived', runId, archiveKey: htmlKey, outcome: report.outcome };
}
