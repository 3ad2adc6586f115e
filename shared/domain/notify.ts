// notify: on vectorsync.run.completed, the run's report is built once, archived in OSS (HTML and
// JSON) and e-mailed once, with a link to the archived copy.
import type { OssObjectStore } from '../clients/oss';
import { uploadReportArchive } from '../clients/oss';
import { ResendIdempotencyError } from '../clients/resend';
import type { Mailer } from '../clients/resend';
import { PermanentError } from '../errors';
import { LedgerRefusedError } from '../ledger';
import type { Ledger } from '../ledger';
import type { Logger } from '../logging';
import { buildRunReport, renderReport } from '../report';

/** How long the archived report's link in the e-mail is valid: 7 days, OSS's maximum. */
const REPORT_LINK_SECONDS = 7 * 24 * 3600;

/** Content type of the archived JSON report. */
const REPORT_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** run.completed named a run that is not completed or failed: the event is wrong, not late. */
export class RunNotFinishedError extends PermanentError {}

/** What sending a run report needs. */
export interface NotifyDeps {
  readonly ledger: Ledger;
  readonly store: OssObjectStore;
  /** Signs the e-mail's archive link when set (a read-only key, so the link outlives STS keys); else `store` does. */
  readonly linkSigner?: Pick<OssObjectStore, 'presignGet'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly log: Logger;
  readonly settings: {
    readonly from: string;
    readonly to: readonly string[];
    /** Key prefix of the archive in the bucket, e.g. `reports/`. */
    readonly prefix: string;
  };
}

/** What notify did for a run. */
export type NotifyResult =
  | { readonly status: 'already-sent'; readonly runId: string }
  | { readonly status: 'sent'; readonly runId: string; readonly messageId: string; readonly archiveKey: string; readonly outcome: 'completed' | 'failed' };

/**
 * Where a run's report is archived: `<prefix><yyyy>/<mm>/<runId>.<ext>`, by the month the run
 * finished (UTC), so a redelivery writes the same key.
 */
function reportArchiveKey(prefix: string, finishedAt: string, runId: string, ext: 'html' | 'json'): string {
  const date = new Date(finishedAt);
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}${yyyy}/${mm}/${runId}.${ext}`;
}

/**
 * Sends a finished run's report once: builds and renders it once, archives the HTML and JSON in
 * OSS, links the archived copy (presigned for 7 days) from the e-mail, sends it under the
 * idempotency key `run-report/<runId>` and marks the run's report sent. A run already marked is a
 * no-op.
 */
export async function sendRunReport(deps: NotifyDeps, runId: string): Promise<NotifyResult> {
  const run = await deps.ledger.run(runId);
  if (!run) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
  if (run.report_sent_at) return { status: 'already-sent', runId };
  if (run.state !== 'completed' && run.state !== 'failed') {
    throw new RunNotFinishedError(`run ${runId} is ${run.state}; a report is sent only for a completed or failed run`, { code: 'RunNotFinished', details: { runId, state: run.state } });
  }
  const report = await buildRunReport(deps.ledger, runId);
  const htmlKey = reportArchiveKey(deps.settings.prefix, report.finishedAt, runId, 'html');
  // Presigning is a local computation: the link can be made before the object exists.
  const archiveUrl = await (deps.linkSigner ?? deps.store).presignGet(htmlKey, REPORT_LINK_SECONDS);
  const mail = renderReport({ ...report, archiveUrl });
  await uploadReportArchive(deps.store, htmlKey, mail.html, { runid: runId, outcome: report.outcome });
  await deps.store.put(reportArchiveKey(deps.settings.prefix, report.finishedAt, runId, 'json'), JSON.stringify(report, null, 2), { contentType: REPORT_JSON_CONTENT_TYPE, meta: { runid: runId } });
  let messageId: string;
  try {
    const sent = await deps.mailer.send({ from: deps.settings.from, to: [...deps.settings.to], subject: mail.subject, html: mail.html, text: mail.text }, { idempotencyKey: `run-report/${runId}` });
    messageId = sent.id;
  } catch (error) {
    // The key was used for this run's report already (an earlier delivery sent it and died before
    // marking it): the report went out, with a link signed at another second.
    if (!(error instanceof ResendIdempotencyError) || error.resendName !== 'invalid_idempotent_request') throw error;
    deps.log.warn('the report was sent by an earlier delivery', { runId });
    messageId = `idempotent:run-report/${runId}`;
  }
  await deps.ledger.markReportSent(runId, messageId);
  deps.log.info('run report sent', { runId, outcome: report.outcome, messageId, archiveKey: htmlKey });
  return { status: 'sent', runId, messageId, archiveKey: htmlKey, outcome: report.outcome };
}
