// notify against the local Postgres (real migrations), the OSS emulator and the Resend emulator:
// every run's report archived in OSS once; e-mailed at once or held for the digest as REPORT_POLICY
// says; one digest per index and window once the window has ended; a digest sent again by hand.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OssObjectStore } from '../../shared/clients/oss';
import { Mailer } from '../../shared/clients/resend';
import type { ReportPolicy } from '../../shared/config';
import { DigestLimits, sendDueDigests } from '../../shared/domain/digest';
import { reportRun } from '../../shared/domain/notify';
import type { NotifyDeps } from '../../shared/domain/notify';
import { fixture } from '../helpers/fixtures';
import { RESEND_KEY, chunkResult, commandIdOf, dispatchedRun, fcRole, reportLinkUser, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

let h: Harness;
let store: OssObjectStore;

beforeAll(async () => {
  h = await startHarness({ oss: true, resend: true });
  store = new OssObjectStore({ endpoint: h.oss?.endpoint ?? '', bucket: h.oss?.bucket ?? '', region: h.bus.region, ...fcRole });
});

afterAll(async () => {
  await h.close();
});

function deps(policy: ReportPolicy = 'digest', mailer = new Mailer({ apiKey: RESEND_KEY, baseUrl: h.resend?.baseUrl ?? '' })): NotifyDeps {
  return {
    ledger: h.ledger, store, log: h.log, mailer,
    settings: { from: 'vector-sync@reports.local.test', to: ['ops@local.test'], prefix: 'reports/', policy, digestMinutes: 60 },
  };
}

async function completedRun(tag: string, chunks: number): Promise<string> {
  const runId = await dispatchedRun(h, tag, chunks);
  for (let chunkNo = 0; chunkNo < chunks; chunkNo += 1) await h.ledger.finishChunk({ runId, chunkNo, succeeded: true, result: chunkResult, commandId: commandIdOf(tag, chunkNo) });
  await h.ledger.completeRun(runId);
  return runId;
}

/**
 * A finished run on generation `<logical>g1` of its own logical index (so each test's digests are
 * its own): a one-chunk sync that completes or fails, or a rebuild without chunks. A change-driven
 * sync is opened from a change batch, as validate opens it.
 */
async function finishedRun(options: { tag: string; logical: string; changeDriven?: boolean; fail?: boolean; op?: 'sync' | 'rebuild' }): Promise<string> {
  const indexName = `${options.logical}g1`;
  await h.ledger.registerIndex({ indexName, logicalName: options.logical, bucket: 'vectors', dimension: 4, metric: 'cosine' });
  if (options.op === 'rebuild') {
    const run = await h.ledger.openRun({ sourceEventId: `evt-${options.tag}`, op: 'rebuild', indexName, requestedBy: 'ops@local.test' });
    await h.ledger.markRunChunked(run.run_id, 0);
    await h.ledger.completeRun(run.run_id);
    return run.run_id;
  }
  const ids = [`doc-${options.tag}`];
  const run = await h.ledger.openRun({ sourceEventId: `evt-${options.tag}`, op: 'sync', indexName, ids, ...(options.changeDriven ? { requestedBy: 'supabase.edge' } : {}) });
  if (options.changeDriven) {
    const [batch] = await h.sql<{ batch_id: string }[]>`insert into vector_sync.change_batches (logical_name, id_count) values (${options.logical}, 1) returning batch_id`;
    await h.sql`update vector_sync.runs set batch_id = ${batch?.batch_id ?? null} where run_id = ${run.run_id}`;
  }
  await h.ledger.addChunk(run.run_id, 0, { ids });
  await h.ledger.markRunChunked(run.run_id, 1);
  await h.ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: commandIdOf(options.tag, 0), invokeId: `t-${options.tag}`, instanceId: 'i-local0001' });
  if (options.fail) await h.ledger.requeueChunk(run.run_id, 0, 'worker died', 1);
  else await h.ledger.finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result: chunkResult, commandId: commandIdOf(options.tag, 0) });
  await h.ledger.completeRun(run.run_id);
  return run.run_id;
}

/** As if a day had passed for one index: its digest windows (and the runs held for them) move a day back, so an open window has ended. */
async function endWindowsOf(logical: string): Promise<void> {
  await h.sql.begin(async (tx) => {
    await tx`update vector_sync.runs set digest_window_start = digest_window_start - interval '1 day'
      where digest_window_start is not null and index_name in (select index_name from vector_sync.indexes where logical_name = ${logical})`;
    await tx`update vector_sync.digests set window_start = window_start - interval '1 day', window_end = window_end - interval '1 day' where logical_name = ${logical}`;
  });
}

async function outbox() {
  return (await h.resend?.outbox.list()) ?? [];
}

async function messagesFor(runId: string) {
  return (await outbox()).filter((entry) => entry.metadata.idempotency_key === `run-report/${runId}`);
}

async function digestsOf(logical: string) {
  return (await outbox()).filter((entry) => (entry.metadata.idempotency_key ?? '').startsWith(`digest/${logical}/`));
}

async function digestRow(logical: string) {
  const [row] = await h.sql<{ window_start: Date; state: string; attempts: number; last_error: string | null; resends: number }[]>`
    select window_start, state, attempts, last_error, resends from vector_sync.digests where logical_name = ${logical} order by window_start desc limit 1`;
  return row;
}

function archiveKeyOf(runId: string): string {
  const now = new Date();
  return `reports/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${runId}.html`;
}

describe('reportRun', () => {
  it('sends one report per run, archived in OSS and linked from the e-mail, even when run.completed comes twice', async () => {
    // Prepare
    const runId = await completedRun('mailed', 2);
    // Act
    const [first, racing] = await Promise.all([reportRun(deps(), runId), reportRun(deps(), runId)]);
    const later = await reportRun(deps(), runId);
    // Assess
    const messages = await messagesFor(runId);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.email.subject).toMatch(/✓ sync docs \(docsg1\): 2 upserted, 0 deleted/);
    expect(message?.email.to).toEqual(['ops@local.test']);
    expect(first.status === 'sent' || racing.status === 'sent').toBe(true);
    expect(later).toEqual({ status: 'already-settled', runId, disposition: 'sent' });
    const key = archiveKeyOf(runId);
    expect(message?.email.html).toContain(`${h.oss?.bucket}/${key}`);
    expect(message?.email.html).toContain('Archived copy of this report');
    expect(await store.head(key)).toMatchObject({ exists: true });
    expect(JSON.parse((await store.get(key.replace(/\.html$/u, '.json'))).body.toString('utf8'))).toMatchObject({ runId, outcome: 'completed', health: { logicalName: 'docs' } });
    expect(message?.email.html).toContain('Index health');
    expect(message?.email.text).toContain('Index health: docs (');
    expect(await h.ledger.run(runId)).toMatchObject({ report_sent_at: expect.any(Date), report_disposition: 'sent', report_archive_key: key });
  });

  it('sends the failure report for a failed run, with the error', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'broken', 1);
    await h.ledger.requeueChunk(runId, 0, 'worker died', 1);
    await h.ledger.completeRun(runId);
    // Act
    const result = await reportRun(deps(), runId);
    // Assess
    expect(result).toMatchObject({ status: 'sent', outcome: 'failed' });
    const [message] = await messagesFor(runId);
    expect(message?.email.subject).toMatch(/✗ FAILED/);
    expect(message?.email.html).toContain('Run failed');
    expect(message?.email.html).toContain('worker died');
  });

  it('refuses a run that is not finished', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'open', 1);
    // Act
    const act = reportRun(deps(), runId);
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'RunNotFinished', kind: 'permanent' });
    expect(await messagesFor(runId)).toEqual([]);
  });

  it.each([
    ['every-run', true, 'sent'],
    ['failures-only', true, 'archived-only'],
    ['failures-only', false, 'archived-only'],
  ] as const)('under %s, a completed run (change-driven: %s) is %s', async (policy, changeDriven, disposition) => {
    // Prepare
    const runId = await finishedRun({ tag: `${policy}${String(changeDriven)}`, logical: `pol${policy.slice(0, 4)}${changeDriven ? 'c' : 'm'}`, changeDriven });
    // Act
    await reportRun(deps(policy), runId);
    // Assess
    expect((await h.ledger.run(runId))?.report_disposition).toBe(disposition);
    expect(await messagesFor(runId)).toHaveLength(disposition === 'sent' ? 1 : 0);
    expect(await store.head(archiveKeyOf(runId))).toMatchObject({ exists: true });
    expect(await h.sql`select 1 from vector_sync.digests where logical_name like 'pol%'`).toHaveLength(0);
  });

  it('sends no digest under failures-only, and sends the held one once the policy allows it again', async () => {
    // Prepare: a run held under the digest policy, whose window has ended
    const runId = await finishedRun({ tag: 'switched', logical: 'switched', changeDriven: true });
    await reportRun(deps('digest'), runId);
    await endWindowsOf('switched');
    // Act
    const quiet = await sendDueDigests(deps('failures-only'));
    const quietMail = await digestsOf('switched');
    const sent = await sendDueDigests(deps('digest'));
    // Assess
    expect(quiet).toMatchObject({ due: 0, sent: 0 });
    expect(quietMail).toEqual([]);
    expect(sent).toMatchObject({ sent: 1 });
    expect(await digestsOf('switched')).toHaveLength(1);
  });

  it('retries a failed digest send on the next tick and parks it with its reason after the last attempt', async () => {
    // Prepare: a mailer that does not retry by itself, and Resend down for every attempt.
    const noRetry = deps('digest', new Mailer({ apiKey: RESEND_KEY, baseUrl: h.resend?.baseUrl ?? '', retry: { maxAttempts: 1 } }));
    const runId = await finishedRun({ tag: 'faulty', logical: 'faulty', changeDriven: true });
    await reportRun(noRetry, runId);
    await endWindowsOf('faulty');
    h.resend?.faults.add({ operation: 'SendEmail', kind: 'status', status: 503, count: DigestLimits.maxAttempts });
    // Act
    const first = await sendDueDigests(noRetry);
    const afterFirst = await digestRow('faulty');
    for (let tick = 1; tick < DigestLimits.maxAttempts; tick += 1) await sendDueDigests(noRetry);
    const last = await sendDueDigests(noRetry);
    // Assess
    h.resend?.faults.clear();
    expect(first).toMatchObject({ due: 1, sent: 0, retry: 1 });
    expect(afterFirst).toMatchObject({ state: 'pending', attempts: 1, last_error: expect.stringContaining('503') });
    expect(await digestRow('faulty')).toMatchObject({ state: 'parked', attempts: DigestLimits.maxAttempts, last_error: expect.stringContaining('503') });
    expect(last).toMatchObject({ due: 0, sent: 0 });
    expect(await digestsOf('faulty')).toEqual([]);
  });
});

describe('notify handler', () => {
  async function loadHandler(overrides: Record<string, string> = {}) {
    vi.resetModules();
    vi.unstubAllEnvs();
    const env = {
      SUPABASE_DB_URL: h.pg.url, RESEND_API_KEY: RESEND_KEY, RESEND_BASE_URL: h.resend?.baseUrl ?? '', REPORT_FROM: 'vector-sync@reports.local.test',
      REPORT_TO: 'ops@local.test', OSS_ENDPOINT: h.oss?.endpoint ?? '', OSS_BUCKET: h.oss?.bucket ?? '', REPORT_PREFIX: 'reports/', ...overrides,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return (await import('../../functions/notify/index')).handler;
  }

  function completedEvent(runId: string, id: string): Buffer {
    const event = fixture('run-completed.json');
    event.id = id;
    event.data.runId = runId;
    return Buffer.from(JSON.stringify(event));
  }

  function digestRequest(index: string, windowStart: Date, id: string): Buffer {
    const event = fixture('digest.json');
    event.id = id;
    event.data.index = index;
    event.data.windowStart = windowStart.toISOString();
    return Buffer.from(JSON.stringify(event));
  }

  function tick(): Buffer {
    return Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'digest-timer', payload: '{"task":"digest"}' }));
  }

  it('sends the report for run.completed delivered as a Buffer, and no second one on redelivery', async () => {
    // Prepare
    const runId = await completedRun('handler', 1);
    const handler = await loadHandler();
    // Act
    const first = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify', 'req-1'));
    const second = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify', 'req-2'));
    // Assess
    expect(first).toMatchObject({ status: 'sent', runId });
    expect(second).toMatchObject({ status: 'already-settled', runId, disposition: 'sent' });
    expect(await messagesFor(runId)).toHaveLength(1);
  });

  it.each(['digest', 'every-run', 'failures-only'])('e-mails a failed change-driven run at once under REPORT_POLICY=%s', async (policy) => {
    // Prepare
    const logical = `failed${policy.replace(/-/gu, '')}`;
    const runId = await finishedRun({ tag: logical, logical, changeDriven: true, fail: true });
    const handler = await loadHandler({ REPORT_POLICY: policy });
    // Act
    const result = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    // Assess
    expect(result).toMatchObject({ status: 'sent', runId, outcome: 'failed' });
    const [message] = await messagesFor(runId);
    expect(message?.email.subject).toMatch(/✗ FAILED/);
    expect((await h.ledger.run(runId))?.report_disposition).toBe('sent');
  });

  it('e-mails a manual rebuild at once under the default policy', async () => {
    // Prepare
    const runId = await finishedRun({ tag: 'rebuild', logical: 'rebuilt', op: 'rebuild' });
    const handler = await loadHandler();
    // Act
    const result = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    // Assess
    expect(result).toMatchObject({ status: 'sent', runId, outcome: 'completed' });
    expect((await messagesFor(runId))[0]?.email.subject).toMatch(/✓ rebuild rebuilt/);
  });

  it('holds a change-driven run for the digest, then sends exactly one digest listing it once the window has ended', async () => {
    // Prepare
    const runId = await finishedRun({ tag: 'held', logical: 'held', changeDriven: true });
    const handler = await loadHandler();
    // Act: the run completes, and the timer ticks while its window is still open
    const held = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    const early = await handler(tick(), h.fcContext('notify'));
    // Assess: nothing e-mailed yet, the report archived
    expect(held).toMatchObject({ status: 'held-for-digest', runId, archiveKey: archiveKeyOf(runId) });
    expect(early).toMatchObject({ sent: 0 });
    expect(await messagesFor(runId)).toEqual([]);
    expect(await digestsOf('held')).toEqual([]);
    expect(await store.head(archiveKeyOf(runId))).toMatchObject({ exists: true });
    expect(await h.ledger.run(runId)).toMatchObject({ report_disposition: 'digest', report_sent_at: null });
    // Act: the window ends; two ticks
    await endWindowsOf('held');
    const due = await handler(tick(), h.fcContext('notify'));
    const again = await handler(tick(), h.fcContext('notify'));
    // Assess: one digest, sent once, listing the run with a working link to its archived report
    expect(due).toMatchObject({ due: 1, sent: 1 });
    expect(again).toMatchObject({ due: 0, sent: 0 });
    const digests = await digestsOf('held');
    expect(digests).toHaveLength(1);
    const window = (await digestRow('held'))?.window_start;
    expect(digests[0]?.metadata.idempotency_key).toBe(`digest/held/${window?.toISOString()}`);
    expect(digests[0]?.email.subject).toMatch(/^\[vector-sync\] digest held \d{4}-\d\d-\d\d \d\d:00.* UTC: 1 run, 1 upserted, 0 deleted$/u);
    const link = new RegExp(`href="([^"]*/reports/\\d{4}/\\d\\d/${runId}\\.html[^"]*)"`, 'u').exec(digests[0]?.email.html ?? '')?.[1]?.replace(/&(amp|#38);/gu, '&') ?? '';
    const page = await fetch(link);
    expect(page.status, link).toBe(200);
    expect(await page.text()).toContain(runId);
    const digestKey = /href="[^"]*\/(reports\/digests\/[^"?]*\.html)[^"]*">Archived copy of this digest/u.exec(digests[0]?.email.html ?? '')?.[1] ?? '';
    expect(JSON.parse((await store.get(digestKey.replace(/\.html$/u, '.json'))).body.toString('utf8'))).toMatchObject({ logicalName: 'held', totals: { runs: 1, upserted: 1 }, runs: [{ runId }] });
    expect(await digestRow('held')).toMatchObject({ state: 'sent', attempts: 1 });
  });

  it('sends a digest again by hand, so far for a window still open, and says why it sends nothing for a window without runs', async () => {
    // Prepare: a window whose digest went out
    const runId = await finishedRun({ tag: 'byhand', logical: 'byhand', changeDriven: true });
    const handler = await loadHandler();
    await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    await endWindowsOf('byhand');
    await handler(tick(), h.fcContext('notify'));
    const window = (await digestRow('byhand'))?.window_start ?? new Date(0);
    const later = await finishedRun({ tag: 'byhand2', logical: 'byhand', changeDriven: true });
    await handler(completedEvent(later, `${later}-completed`), h.fcContext('notify'));
    const open = (await digestRow('byhand'))?.window_start ?? new Date(0);
    // Act
    const resent = await handler(digestRequest('byhand', window, 'manual-digest-byhand-1'), h.fcContext('notify'));
    const redelivered = await handler(digestRequest('byhand', window, 'manual-digest-byhand-1'), h.fcContext('notify'));
    const empty = await handler(digestRequest('byhand', new Date(window.getTime() - 3_600_000), 'manual-digest-byhand-2'), h.fcContext('notify'));
    const stillOpen = await handler(digestRequest('byhand', open, 'manual-digest-byhand-3'), h.fcContext('notify'));
    // Assess
    expect(resent).toMatchObject({ status: 'resent', logicalName: 'byhand', windowStart: window.toISOString(), runs: 1 });
    expect(redelivered).toMatchObject({ status: 'resent' });
    const digests = await digestsOf('byhand');
    expect(digests.map((entry) => entry.metadata.idempotency_key).sort()).toEqual(
      [`digest/byhand/${window.toISOString()}`, `digest/byhand/${window.toISOString()}/manual-digest-byhand-1`, `digest/byhand/${open.toISOString()}/manual-digest-byhand-3`].sort(),
    );
    expect(digests.find((entry) => entry.metadata.idempotency_key === `digest/byhand/${window.toISOString()}/manual-digest-byhand-1`)?.email.html).toContain(runId);
    expect(empty).toMatchObject({ status: 'no-runs', message: expect.stringContaining('nothing to send') });
    expect(stillOpen).toMatchObject({ status: 'resent', windowStart: open.toISOString(), runs: 1, windowOpen: true });
    expect((await digestRow('byhand'))?.state).toBe('pending');
    // Each request handled is counted; the redelivery sent no second e-mail.
    expect(await h.sql`select state, resends from vector_sync.digests where logical_name = 'byhand' and window_start = ${window}`).toEqual([{ state: 'sent', resends: 2 }]);
  });

  it('parks the event when Resend refuses the sender for good', async () => {
    // Prepare
    const runId = await completedRun('badfrom', 1);
    const handler = await loadHandler({ REPORT_FROM: 'not an address' });
    // Act
    const result = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'invalid_from_address' });
    const [parked] = await h.sql<{ run_id: string; code: string }[]>`select run_id, code from vector_sync.parked_events where event_id = ${`${runId}-completed`}`;
    expect(parked).toEqual({ run_id: runId, code: 'invalid_from_address' });
    expect(await h.ledger.run(runId)).toMatchObject({ report_sent_at: null, report_disposition: null });
  });

  it('signs the report link with the read-only report-link user when its keys are set, so it outlives the STS keys', async () => {
    // Prepare
    const runId = await completedRun('linkuser', 1);
    const handler = await loadHandler({ REPORT_LINK_ACCESS_KEY_ID: reportLinkUser.accessKeyId, REPORT_LINK_ACCESS_KEY_SECRET: reportLinkUser.accessKeySecret });
    // Act
    const result = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    // Assess
    expect(result).toMatchObject({ status: 'sent', runId });
    const [message] = await messagesFor(runId);
    const link = /href="([^"]*\/reports\/[^"]*\.html[^"]*)"/u.exec(message?.email.html ?? '')?.[1]?.replace(/&(amp|#38);/gu, '&') ?? '';
    expect(decodeURIComponent(link)).toContain(reportLinkUser.accessKeyId);
    expect(link).not.toMatch(/security-token/iu);
    expect(decodeURIComponent(link)).not.toContain(fcRole.accessKeyId);
    const page = await fetch(link);
    expect(page.status, `${link}\n${await page.clone().text()}`).toBe(200);
    expect(await page.text()).toContain(runId);
  });

  it('parks the event when only one of the report-link keys is set', async () => {
    // Prepare
    const runId = await completedRun('halflink', 1);
    const handler = await loadHandler({ REPORT_LINK_ACCESS_KEY_ID: reportLinkUser.accessKeyId });
    // Act
    const result = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify'));
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'ConfigInvalid', reason: expect.stringContaining('REPORT_LINK_ACCESS_KEY_SECRET') });
    expect(await messagesFor(runId)).toEqual([]);
  });
});
