// notify against the local Postgres (real migrations), the OSS emulator and the Resend emulator:
// one report per run, archived in OSS and linked from the e-mail.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OssObjectStore } from '../../shared/clients/oss';
import { Mailer } from '../../shared/clients/resend';
import { sendRunReport } from '../../shared/domain/notify';
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

function deps(): NotifyDeps {
  return {
    ledger: h.ledger, store, log: h.log,
    mailer: new Mailer({ apiKey: RESEND_KEY, baseUrl: h.resend?.baseUrl ?? '' }),
    settings: { from: 'vector-sync@reports.local.test', to: ['ops@local.test'], prefix: 'reports/' },
  };
}

async function completedRun(tag: string, chunks: number): Promise<string> {
  const runId = await dispatchedRun(h, tag, chunks);
  for (let chunkNo = 0; chunkNo < chunks; chunkNo += 1) await h.ledger.finishChunk({ runId, chunkNo, succeeded: true, result: chunkResult, commandId: commandIdOf(tag, chunkNo) });
  await h.ledger.completeRun(runId);
  return runId;
}

async function messagesFor(runId: string) {
  return ((await h.resend?.outbox.list()) ?? []).filter((entry) => entry.metadata.idempotency_key === `run-report/${runId}`);
}

describe('sendRunReport', () => {
  it('sends one report per run, archived in OSS and linked from the e-mail, even when run.completed comes twice', async () => {
    // Prepare
    const runId = await completedRun('mailed', 2);
    // Act
    const [first, racing] = await Promise.all([sendRunReport(deps(), runId), sendRunReport(deps(), runId)]);
    const later = await sendRunReport(deps(), runId);
    // Assess
    const messages = await messagesFor(runId);
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.email.subject).toMatch(/✓ sync docs \(docsg1\): 2 upserted, 0 deleted/);
    expect(message?.email.to).toEqual(['ops@local.test']);
    expect(first.status === 'sent' || racing.status === 'sent').toBe(true);
    expect(later).toEqual({ status: 'already-sent', runId });
    const key = `reports/${new Date().getUTCFullYear()}/${String(new Date().getUTCMonth() + 1).padStart(2, '0')}/${runId}.html`;
    expect(message?.email.html).toContain(`${h.oss?.bucket}/${key}`);
    expect(message?.email.html).toContain('Archived copy of this report');
    expect(await store.head(key)).toMatchObject({ exists: true });
    expect(JSON.parse((await store.get(key.replace(/\.html$/u, '.json'))).body.toString('utf8'))).toMatchObject({ runId, outcome: 'completed', health: { logicalName: 'docs' } });
    expect(message?.email.html).toContain('Index health');
    expect(message?.email.text).toContain('Index health: docs (');
    expect((await h.ledger.run(runId))?.report_sent_at).toBeInstanceOf(Date);
  });

  it('sends the failure report for a failed run, with the error', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'broken', 1);
    await h.ledger.requeueChunk(runId, 0, 'worker died', 1);
    await h.ledger.completeRun(runId);
    // Act
    const result = await sendRunReport(deps(), runId);
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
    const act = sendRunReport(deps(), runId);
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'RunNotFinished', kind: 'permanent' });
    expect(await messagesFor(runId)).toEqual([]);
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

  it('sends the report for run.completed delivered as a Buffer, and no second one on redelivery', async () => {
    // Prepare
    const runId = await completedRun('handler', 1);
    const handler = await loadHandler();
    // Act
    const first = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify', 'req-1'));
    const second = await handler(completedEvent(runId, `${runId}-completed`), h.fcContext('notify', 'req-2'));
    // Assess
    expect(first).toMatchObject({ status: 'sent', runId });
    expect(second).toEqual({ status: 'already-sent', runId });
    expect(await messagesFor(runId)).toHaveLength(1);
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
    expect((await h.ledger.run(runId))?.report_sent_at).toBeNull();
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
