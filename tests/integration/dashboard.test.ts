// The local dashboard against the real migrations on the local Postgres, and in headless Chromium.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { createSql } from '../../shared/ledger';
import { Ledger } from '../../shared/ledger';
import { Logger } from '../../shared/logging';
import { loadCorpus, sampleDocuments } from '../../local/corpus';
import { DashboardOptionsError, startDashboard } from '../../local/dashboard';
import type { ApiState, Dashboard } from '../../local/dashboard';
import { Outbox } from '../../local/resend';
import type { OutboxMessage } from '../../local/resend';
import type { LocalPostgres } from '../../local/supabase';
import { startTestPostgres } from '../helpers/database';

const EMAIL_ID = '5d0c6a8e-3b1f-4c2a-9e7d-2f4b6a8c0e12';
const INDEXED_DOC = '00000000-0000-4000-8000-00000000d0c1';
const CHROMIUM_TIMEOUT_MS = 60_000;
const quiet = new Logger({ sink: () => undefined });

let pg: LocalPostgres;
let sql: Sql;
let outboxDir: string;
let dashboard: Dashboard;
let runId: string;

function message(): OutboxMessage {
  return {
    email: {
      object: 'email', id: EMAIL_ID, created_at: '2026-11-23T02:00:09.000Z', from: 'sync@example.com', to: ['ops@example.com'],
      cc: null, bcc: null, reply_to: null, subject: 'Sync completed: documents', html: '<h1>Run report</h1><p>120 upserted</p>', text: null,
      tags: [], headers: null, scheduled_at: null, last_event: 'delivered',
    },
    metadata: { endpoint: '/emails', batch_index: null, idempotency_key: null, user_agent: null, api_key_permission: 'full_access', attachments: [] },
  };
}

function findChromium(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat('/usr/bin');
  return dirs.map((dir) => join(dir, 'chromium')).find((path) => existsSync(path));
}

/** Runs headless Chromium on a URL and answers the DOM after the page's scripts ran. */
async function dumpDom(binary: string, url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'dashboard-chromium-'));
  try {
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=5000', '--dump-dom', url];
    return await new Promise<string>((resolve, reject) => {
      // detached: its own process group, so a timeout kills the renderer and GPU helpers too.
      const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`chromium did not finish within ${CHROMIUM_TIMEOUT_MS} ms; stderr: ${stderr.slice(-2000)}`));
      }, CHROMIUM_TIMEOUT_MS);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`chromium exited with ${code}; stderr: ${stderr.slice(-2000)}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  pg = await startTestPostgres();
  sql = createSql(pg.url, { max: 2 });
  const ledger = new Ledger(sql);
  await ledger.registerIndex({ indexName: 'documentsg1', logicalName: 'documents', bucket: 'vectors', dimension: 384, metric: 'cosine' });
  await ledger.activateIndex('documentsg1');
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
  const run = await ledger.openRun({ sourceEventId: 'evt-dashboard-1', op: 'sync', indexName: 'documentsg1', ids });
  runId = run.run_id;
  await ledger.addChunk(runId, 0, { ids: ids.slice(0, 1) });
  await ledger.addChunk(runId, 1, { ids: ids.slice(1) });
  await ledger.markRunChunked(runId, 2);
  await ledger.markChunkDispatched({ runId, chunkNo: 0, commandId: 'c-dash-1', invokeId: 't-dash-1', instanceId: 'i-local0001' });
  await ledger.markChunkRunning(runId, 0, 'c-dash-1');
  await ledger.finishChunk({ runId, chunkNo: 0, succeeded: true, result: { upserted: 1, deleted: 0, skipped: 0, rejected: 0, failed: 0 }, commandId: 'c-dash-1' });
  await sql`insert into vector_sync.dead_letters (queue, msg_id, document_id, read_ct, step, error) values ('vector_sync', 7, 'doc-7', 5, 'publish', '<b>boom</b>')`;
  outboxDir = await mkdtemp(join(tmpdir(), 'dashboard-outbox-'));
  const outbox = new Outbox(outboxDir);
  await outbox.open();
  await outbox.write(message());
  // healthRefreshMs 0: every request reads the health and the status counts afresh.
  dashboard = await startDashboard({ sql, outbox: outboxDir, port: 0, logger: quiet, extra: () => ({ eventBridgeDeadLetters: 3 }), healthRefreshMs: 0 });
});

afterAll(async () => {
  await dashboard?.close();
  await sql?.end();
  await pg?.close();
  if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
});

describe('startDashboard', () => {
  it('serves the state as JSON: runs, chunks of the latest run, queues, dead letters, indexes, e-mails, extra', async () => {
    // Act
    const response = await fetch(new URL('/api/state', dashboard.url));
    const state = (await response.json()) as ApiState;
    // Assess
    expect(response.status).toBe(200);
    expect(state.selectedRunId).toBe(runId);
    expect(state.runs).toMatchObject({ ok: true, rows: [{ run_id: runId, op: 'sync', state: 'dispatched', chunk_count: 2, chunks_succeeded: 1, upserted: 0 }] });
    expect(state.chunks).toMatchObject({ ok: true, rows: [{ chunk_no: 0, state: 'succeeded', instance_id: 'i-local0001' }, { chunk_no: 1, state: 'ready' }] });
    expect(state.queues).toMatchObject({ ok: true, rows: [{ queue: 'embedding_jobs' }, { queue: 'vector_sync' }] });
    expect(state.deadLetterCounts).toMatchObject({ ok: true, rows: [{ queue: 'embedding_jobs', parked: 0 }, { queue: 'vector_sync', parked: 1 }] });
    expect(state.deadLetters).toMatchObject({ ok: true, rows: [{ msg_id: 7, error: '<b>boom</b>' }] });
    expect(state.indexes).toMatchObject({ ok: true, rows: [{ index_name: 'documentsg1', state: 'active', total_vectors: 0 }] });
    expect(state.emails).toMatchObject({ ok: true, rows: [{ id: EMAIL_ID, subject: 'Sync completed: documents', href: `/emails/${EMAIL_ID}` }] });
    expect(state.extra).toEqual({ ok: true, rows: [{ name: 'eventBridgeDeadLetters', value: 3 }] });
    expect(state.health).toMatchObject({ ok: true, rows: [{ logicalName: 'documents', indexName: 'documentsg1', coverage: { vectors: 0, embeddings: 0 }, backlog: { openRuns: 1, chunksReady: 1, chunksInFlight: 0 } }] });
    expect(state.statusCounts).toMatchObject({ ok: true, rows: [{ status: 'pending_embedding' }, { status: 'pending_sync' }, { status: 'indexed', count: 0 }, { status: 'unchanged' }, { status: 'rejected' }, { status: 'failed' }, { status: 'deleted' }] });
    expect(state.document).toBeNull();
    expect(state.panels.map((panel) => panel.id)).toEqual(['health', 'runs', 'chunks', 'indexes', 'queues', 'dead-letter-counts', 'dead-letters', 'document-status', 'document', 'emails', 'extra']);
  });

  it('renders the runs on the server, with stable ids, and escapes what it shows', async () => {
    // Act
    const response = await fetch(dashboard.url);
    const html = await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<table id="runs">');
    expect(html).toMatch(new RegExp(`<tr class="selected" data-run-id="${runId}" data-state="dispatched">`, 'u'));
    expect(html).toContain('data-chunk-no="1"');
    expect(html).toContain('&#60;b&#62;boom&#60;/b&#62;');
    expect(html).not.toContain('<b>boom</b>');
    expect(html).not.toMatch(/(src|href)="https?:/u);
  });

  it('shows the chunks of the run asked for and refuses a run id that is not a UUID', async () => {
    const other = await fetch(new URL('/api/state?run=9f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f', dashboard.url));
    expect(((await other.json()) as ApiState).chunks).toEqual({ ok: true, rows: [] });
    const bad = await fetch(new URL('/api/state?run=nope', dashboard.url));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('run must be a UUID');
  });

  it('serves a stored e-mail by id and 404s unknown ids and path tricks', async () => {
    // Act
    const email = await fetch(new URL(`/emails/${EMAIL_ID}`, dashboard.url));
    const unknown = await fetch(new URL('/emails/9f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f', dashboard.url));
    const traversal = await fetch(`${dashboard.url}emails/..%2f..%2fetc%2fpasswd`);
    const nested = await fetch(`${dashboard.url}emails/${EMAIL_ID}/../x`);
    // Assess
    expect(email.status).toBe(200);
    expect(email.headers.get('content-type')).toContain('text/html');
    expect(await email.text()).toContain('<h1>Run report</h1>');
    expect([unknown.status, traversal.status, nested.status]).toEqual([404, 404, 404]);
    expect((await fetch(dashboard.url, { method: 'POST' })).status).toBe(405);
  });

  it('shows an error panel instead of crashing when the database or the extra panel fails', async () => {
    // Prepare
    const ended = createSql(pg.url, { max: 1 });
    await ended.end();
    const broken = await startDashboard({ sql: ended, outbox: outboxDir, logger: quiet, extra: () => { throw new Error('bus unreachable'); } });
    try {
      // Act
      const response = await fetch(broken.url);
      const html = await response.text();
      // Assess
      expect(response.status).toBe(200);
      expect(html).toContain('data-panel-error="runs"');
      expect(html).toContain('data-panel-error="indexes"');
      expect(html).toContain('bus unreachable');
      expect(html).toContain('<table id="emails">');
    } finally {
      await broken.close();
    }
  });

  it('refuses options it cannot use', async () => {
    await expect(startDashboard({ sql, outbox: outboxDir, port: 70_000 })).rejects.toThrow(DashboardOptionsError);
    await expect(startDashboard({ sql, outbox: '' })).rejects.toThrow(/outbox/u);
  });

  it('renders in headless Chromium and the page script fills the panels from /api/state', async (context) => {
    const chromium = findChromium();
    if (chromium === undefined) {
      if (process.env.CI) throw new Error('chromium is not installed but CI is set: .ci/run installs it with `apt-get install -y chromium`');
      context.skip('chromium is not installed (apt-get install -y chromium); skipping the browser check');
      return;
    }
    // Act
    const dom = await dumpDom(chromium, dashboard.url);
    // Assess
    expect(dom).toContain(`data-run-id="${runId}"`);
    expect(dom).toMatch(/<time id="updated-at" data-source="live">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/time>/u);
    expect(dom).toContain('<span id="status" class="ok">live</span>');
    expect(dom).toContain('data-email-id="5d0c6a8e-3b1f-4c2a-9e7d-2f4b6a8c0e12"');
    // Drawn again by the script from /api/state: the health fragment and the status counts.
    expect(dom).toContain('Index health: documents (documentsg1)');
    expect(dom).toContain('data-status="indexed"');
  }, CHROMIUM_TIMEOUT_MS + 30_000);
});

describe('startDashboard with documents', () => {
  beforeAll(async () => {
    // One document the active generation holds with its current hash: indexed.
    await sql`insert into public.source_documents (id, content) values (${INDEXED_DOC}, 'indexed document')`;
    await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
              values (${INDEXED_DOC}, encode(sha256(convert_to('indexed document', 'UTF8')), 'hex'), 'test', array_fill(0.1::real, array[384])::extensions.vector)`;
    await sql`select pgmq.purge_queue('vector_sync')`;
    await sql`select vector_sync.upsert_index_state('documentsg1', ${[INDEXED_DOC]}::text[], ${[createHash('sha256').update('indexed document').digest('hex')]}::text[])`;
  });

  afterAll(async () => {
    await sql`delete from vector_sync.index_state where document_id = ${INDEXED_DOC}`;
    await sql`delete from public.source_documents where id = ${INDEXED_DOC}`;
  });

  it('draws the health with the report renderer and counts documents per status', async () => {
    // Act
    const html = await (await fetch(dashboard.url)).text();
    // Assess
    expect(html).toContain('<section class="panel" id="panel-health" data-panel="health">');
    expect(html).toContain('Index health: documents (documentsg1)');
    expect(html).toMatch(/Vectors in the index<\/td><td[^>]*>1</u);
    expect(html).toMatch(/Coverage \(vectors \/ embeddings\)<\/td><td[^>]*>100\.0 %</u);
    expect(html).toContain('<table id="document-status">');
    expect(html).toMatch(/<tr data-status="indexed"><td>indexed<\/td><td>1<\/td><\/tr>/u);
    expect(html).toContain('Look a document up with the form at the top');
  });

  it('keeps the health and the status counts for healthRefreshMs', async () => {
    // Prepare
    const cached = await startDashboard({ sql, outbox: outboxDir, logger: quiet, healthRefreshMs: 60_000 });
    try {
      const before = (await (await fetch(new URL('/api/state', cached.url))).json()) as ApiState;
      await sql`update vector_sync.index_state set synced_at = now() where document_id = ${INDEXED_DOC}`;
      await sql`insert into public.source_documents (id, content) values ('00000000-0000-4000-8000-00000000d0c2', 'waiting')`;
      // Act
      const after = (await (await fetch(new URL('/api/state', cached.url))).json()) as ApiState;
      const fresh = (await (await fetch(new URL('/api/state', dashboard.url))).json()) as ApiState;
      // Assess
      expect(after.health).toEqual(before.health);
      expect(after.statusCounts).toEqual(before.statusCounts);
      expect(fresh.statusCounts).toMatchObject({ ok: true, rows: expect.arrayContaining([{ status: 'pending_embedding', count: 1 }]) });
    } finally {
      await cached.close();
      await sql`delete from public.source_documents where id = '00000000-0000-4000-8000-00000000d0c2'`;
    }
  });

  it('looks one document up by the id in ?document=, bound and escaped', async () => {
    // Act
    const found = await fetch(new URL(`/?document=${INDEXED_DOC}`, dashboard.url));
    const json = (await (await fetch(new URL(`/api/state?document=${INDEXED_DOC}`, dashboard.url))).json()) as ApiState;
    const hostileId = `'); drop table vector_sync.runs; --<script>alert(1)</script>`;
    const hostile = await fetch(new URL(`/?document=${encodeURIComponent(hostileId)}`, dashboard.url));
    const tooLong = await fetch(new URL(`/api/state?document=${'x'.repeat(1025)}`, dashboard.url));
    // Assess
    const html = await found.text();
    expect(html).toContain(`<tr data-document-id="${INDEXED_DOC}" data-status="indexed">`);
    expect(html).toContain(`<h2>Document ${INDEXED_DOC}</h2>`);
    expect(json.document).toMatchObject({ ok: true, rows: [{ document_id: INDEXED_DOC, status: 'indexed', index_name: 'documentsg1' }] });
    const page = await hostile.text();
    expect(hostile.status).toBe(200);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).toContain('No document and no ledger record has this id.');
    expect((await sql`select count(*) as n from vector_sync.runs`)[0]?.n).not.toBe('0');
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('document must be at most 1024 bytes');
  });
});

describe('loadCorpus', () => {
  it('inserts the documents in batches and reports progress', async () => {
    // Prepare
    const progress: number[] = [];
    // Act
    const loaded = await loadCorpus(sql, sampleDocuments(50, 11), { batchSize: 20, onProgress: (count) => progress.push(count) });
    const rows = await sql<{ content: string; metadata: Record<string, unknown> }[]>`select content, metadata from public.source_documents order by (metadata ->> 'n')::int limit 100`;
    // Assess
    const expected = [...sampleDocuments(50, 11)];
    expect(loaded).toBe(50);
    expect(progress).toEqual([20, 40, 50]);
    expect(rows).toHaveLength(50);
    expect(rows[0]).toEqual({ content: expected[0]?.content, metadata: expected[0]?.metadata });
    expect(rows[49]).toEqual({ content: expected[49]?.content, metadata: expected[49]?.metadata });
  });

  it('refuses a batch size out of range before inserting anything', async () => {
    await expect(loadCorpus(sql, sampleDocuments(5), { batchSize: 0 })).rejects.toThrow(/batchSize must be/u);
  });
});
