import { uploadReportArchive } from '../../clients/oss';
import { ResendIdempotencyError } from '../../clients/resend';
import { LedgerRefusedError } from '../../ledger';
import { renderReport } from '../../report';
import { buildRunReport } from '../report';
import { REPORT_JSON_CONTENT_TYPE, REPORT_LINK_SECONDS } from './constants';
import { RunNotFinishedError } from './errors';
import { reportArchiveKey } from './reportArchiveKey';
import type { NotifyDeps, NotifyResult } from './types';

/**
 * Sends a finished run's report once: archives the HTML and JSON report in OSS, links the archived
 * copy (presigned for 7 days) from the e-mail, sends it under the idempotency key
 * `run-report/<runId>` and marks the run's report sent. A run already marked is a no-op.
 */
export async function sendRunReport(deps: NotifyDeps, runId: string): Promise<NotifyResult> {
  const run = await deps.ledger.run(runId);
  if (!run) throw new LedgerRefusedError(`run ${runId} does not exist`, { code: 'P0002', details: { runId } });
  if (run.report_sent_at) return { status: 'already-sent', runId };
  if (run.state !== 'completed' && run.state !== 'failed') {
    throw new RunNotFinishedError(`run ${runId} is ${run.state}; a report is sent only for a completed or failed run`, { code: 'RunNotFinished', details: { runId, state: run.state } });
  }
  const report = await buildRunReport(deps.sql, deps.ledger, runId);
  const htmlKey = reportArchiveKey(deps.settings.prefix, report.finishedAt, runId, 'html');
  await uploadReportArchive(deps.store, htmlKey, renderReport(report).html, { runid: runId, outcome: report.outcome });
  await deps.store.put(reportArchiveKey(deps.settings.prefix, report.finishedAt, runId, 'json'), JSON.stringify(report, null, 2), { contentType: REPORT_JSON_CONTENT_TYPE, meta: { runid: runId } });
  const archiveUrl = await (deps.linkSigner ?? deps.store).presignGet(htmlKey, REPORT_LINK_SECONDS);
  const mail = renderReport({ ...report, archiveUrl });
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
