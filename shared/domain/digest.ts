// The digests: one e-mail per logical index and window that sums the change-driven runs held for
// it (REPORT_POLICY=digest). notify's timer sends every digest that is due, once (claimed in the
// ledger, idempotency key `digest/<index>/<window start>`); a failed send is retried on the next
// tick and parked with its reason after the last attempt. An operator can send one again by hand.
import { ReportPolicy } from '../config';
import { classifyError, describeError, PermanentError } from '../errors';
import type { DigestRow } from '../ledger';
import { buildDigestReport, digestRunLine, lastEndedDigestWindow, renderDigest, renderHealthHtml, renderHealthText } from '../report';
import type { DigestWindow } from '../report';
import { archiveKey, archiveLink, archiveRendered, sendReportMail } from './notify';
import type { NotifyDeps } from './notify';

/** How much digest work one invocation does, and how long a send may take. */
export const DigestLimits = {
  /** Digests a timer tick sends at most; a backlog of windows is worked off over several ticks. */
  perTick: 20,
  /** Digests looked at after a run.completed: a cheap check, the timer does the rest. */
  afterRun: 2,
  /** Send attempts before a digest is parked with its last error. */
  maxAttempts: 5,
  /** A digest still 'sending' this long after its claim lost its sender (notify times out after 120 s). */
  sendingGraceSeconds: 300,
  /** Runs read for one digest: far more than a day of 10-second publish cycles. */
  maxRuns: 10_000,
} as const;

/** A claimed digest has no run to report (they were removed): nothing can ever be sent for it. */
export class DigestEmptyError extends PermanentError {}

/** The idempotency key of a digest: one per index and window; a send by hand adds its event id. */
export function digestIdempotencyKey(logicalName: string, windowStart: Date, requestId?: string): string {
  const key = `digest/${logicalName}/${windowStart.toISOString()}`;
  return requestId === undefined ? key : `${key}/${requestId}`;
}

/** A digest row's window. */
function windowOf(row: Pick<DigestRow, 'window_start' | 'window_end'>): DigestWindow {
  return { start: row.window_start, end: row.window_end, minutes: Math.round((row.window_end.getTime() - row.window_start.getTime()) / 60_000) };
}

/** What one send of a digest produced. */
interface DeliveredDigest {
  readonly messageId: string;
  readonly archiveKey: string;
  readonly runs: number;
}

/**
 * Builds one digest from the runs held for its window, each linked to its archived report (7-day
 * links), archives it in OSS (HTML and JSON, linked from the e-mail) and e-mails it under `idempotencyKey`.
 */
async function deliverDigest(deps: NotifyDeps, logicalName: string, window: DigestWindow, idempotencyKey: string): Promise<DeliveredDigest> {
  const rows = await deps.ledger.digestRuns(logicalName, window.start, DigestLimits.maxRuns);
  if (rows.length === 0) {
    throw new DigestEmptyError(`no run is held for the digest of ${logicalName} from ${window.start.toISOString()}`, { code: 'DigestEmpty', details: { logicalName, windowStart: window.start.toISOString() } });
  }
  const runs = await Promise.all(rows.map(async (row) => digestRunLine(row, row.report_archive_key ? await archiveLink(deps, row.report_archive_key) : undefined)));
  const name = `${logicalName}-${window.start.toISOString().replace(/[-:]|\.\d+/gu, '')}`;
  const htmlKey = archiveKey(deps.settings.prefix, window.start, name, 'html', 'digests/');
  const report = buildDigestReport({ logicalName, window, runs, generatedAt: new Date(), archiveUrl: await archiveLink(deps, htmlKey) });
  // The index's health over the digest's window: coverage and backlog now, lag and throughput then.
  const health = await deps.ledger.indexHealth(logicalName, { since: window.start, until: window.end });
  const mail = renderDigest(report, [{ title: '', html: renderHealthHtml(health), text: renderHealthText(health) }]);
  await archiveRendered(deps.store, htmlKey, mail.html, { ...report, health }, { index: logicalName, windowstart: report.window.start });
  const messageId = await sendReportMail(deps, mail, idempotencyKey);
  return { messageId, archiveKey: htmlKey, runs: runs.length };
}

/** What happened to one due digest in a tick. */
export interface DigestOutcome {
  readonly logicalName: string;
  readonly windowStart: string;
  readonly status: 'sent' | 'retry' | 'parked';
  readonly runs?: number;
  readonly messageId?: string;
  readonly error?: string;
}

/** The JSON summary of a digest tick. */
export interface DigestTickSummary {
  readonly due: number;
  readonly sent: number;
  readonly retry: number;
  readonly parked: number;
  readonly digests: DigestOutcome[];
}

/** Sends one claimed digest and records the outcome; a failure is kept for the next tick or parked. */
async function sendClaimed(deps: NotifyDeps, claimed: DigestRow): Promise<DigestOutcome> {
  const logicalName = claimed.logical_name;
  const windowStart = claimed.window_start.toISOString();
  try {
    const sent = await deliverDigest(deps, logicalName, windowOf(claimed), digestIdempotencyKey(logicalName, claimed.window_start));
    await deps.ledger.markDigestSent(logicalName, claimed.window_start, sent.messageId, sent.archiveKey);
    deps.log.info('digest sent', { logicalName, windowStart, runs: sent.runs, messageId: sent.messageId, archiveKey: sent.archiveKey });
    return { logicalName, windowStart, status: 'sent', runs: sent.runs, messageId: sent.messageId };
  } catch (error) {
    const described = describeError(error);
    const reason = `${described.code ?? described.name}: ${described.message}`;
    const after = await deps.ledger.failDigest({ logicalName, windowStart: claimed.window_start, error: reason, maxAttempts: DigestLimits.maxAttempts, permanent: classifyError(error) === 'permanent' });
    const parked = after.state === 'parked';
    deps.log[parked ? 'error' : 'warn'](parked ? 'digest parked' : 'digest send failed; the next tick tries again', { logicalName, windowStart, attempts: after.attempts, error: reason });
    return { logicalName, windowStart, status: parked ? 'parked' : 'retry', error: reason };
  }
}

/**
 * Sends every digest that is due, at most `limit`: its window has ended, runs are held for it, it
 * is not sent (or its sender died). Each is claimed first, so two ticks never send one digest.
 * Under REPORT_POLICY=failures-only no digest is sent (digests held before a switch to it wait).
 */
export async function sendDueDigests(deps: NotifyDeps, limit: number = DigestLimits.perTick): Promise<DigestTickSummary> {
  if (deps.settings.policy === ReportPolicy.FailuresOnly) return { due: 0, sent: 0, retry: 0, parked: 0, digests: [] };
  const due = await deps.ledger.dueDigests(DigestLimits.sendingGraceSeconds, limit);
  const digests: DigestOutcome[] = [];
  for (const row of due) {
    const claimed = await deps.ledger.claimDigest(row.logical_name, row.window_start, DigestLimits.sendingGraceSeconds, DigestLimits.maxAttempts);
    if (claimed) digests.push(await sendClaimed(deps, claimed));
  }
  const count = (status: DigestOutcome['status']): number => digests.filter((digest) => digest.status === status).length;
  return { due: due.length, sent: count('sent'), retry: count('retry'), parked: count('parked'), digests };
}

/** What a request to send a digest by hand did. */
export type DigestRequestResult =
  | { readonly status: 'resent'; readonly logicalName: string; readonly windowStart: string; readonly runs: number; readonly messageId: string; readonly archiveKey: string; readonly windowOpen: boolean }
  | { readonly status: 'no-runs'; readonly logicalName: string; readonly windowStart: string; readonly message: string };

/**
 * Sends the digest of one index and window by hand, even if it was sent: under its own idempotency
 * key (the request's event id, so a redelivered request sends once). A window that has not ended
 * is sent as it stands so far (the timer still sends it at its end); a window with no run held for
 * it is answered with why nothing was sent.
 */
export async function resendDigest(deps: NotifyDeps, request: { readonly logicalName: string; readonly windowStart: Date; readonly requestId: string }): Promise<DigestRequestResult> {
  const { logicalName, windowStart } = request;
  const start = windowStart.toISOString();
  const row = await deps.ledger.digest(logicalName, windowStart);
  if (!row) {
    const example = lastEndedDigestWindow(new Date(), deps.settings.digestMinutes).start.toISOString();
    const message = `no change-driven run of index ${logicalName} was held for a digest window starting at ${start}: nothing to send (windows are REPORT_DIGEST_MINUTES=${deps.settings.digestMinutes} minutes long from the epoch, e.g. ${example})`;
    return { status: 'no-runs', logicalName, windowStart: start, message };
  }
  // A window still open is sent as it stands ("so far"); the timer still sends its digest once
  // the window has ended, with every run held for it by then.
  const now = new Date();
  const open = row.window_end.getTime() > now.getTime();
  const window = open ? { ...windowOf(row), end: now } : windowOf(row);
  try {
    const sent = await deliverDigest(deps, logicalName, window, digestIdempotencyKey(logicalName, windowStart, request.requestId));
    await deps.ledger.recordDigestResend(logicalName, windowStart, sent.messageId, sent.archiveKey);
    deps.log.info('digest sent by hand', { logicalName, windowStart: start, runs: sent.runs, messageId: sent.messageId, windowOpen: open });
    return { status: 'resent', logicalName, windowStart: start, runs: sent.runs, messageId: sent.messageId, archiveKey: sent.archiveKey, windowOpen: open };
  } catch (error) {
    if (!(error instanceof DigestEmptyError)) throw error;
    return { status: 'no-runs', logicalName, windowStart: start, message: error.message };
  }
}
