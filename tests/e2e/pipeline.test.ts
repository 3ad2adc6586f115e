// The whole pipeline on the local cloud, from rows in Postgres to vectors in OSS Vectors and the
// reports (each run's archived in OSS, change-driven runs summed in a digest e-mail): every handler
// runs from its bundle, the worker from the bundle Cloud Assistant downloads, and the index is
// checked against Postgres by an independent scan.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, sampleDocuments } from '../../local/corpus';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';
import { StackDefaults, compareIndex, isQuiet, pipelineSnapshot, requestDigest, requestRun, startLocalCloud, waitFor, waitForRun } from '../../local/stack';
import { digestWindowAt } from '../../shared/report';
import type { LocalCloud } from '../../local/stack';
import type { RunRequestedData } from '../../shared/contracts';
import { databaseTarget, postgresServerSkipReason, postgresServerUrl, testDatabaseUrl } from '../helpers/database';

const exec = promisify(execFile);
let cloud: LocalCloud;
let workDir: string;
let database: Awaited<ReturnType<typeof testDatabaseUrl>> | undefined;

/** The pipeline's rows and the bus's deliveries in flight (counted before and after the read). */
async function probe() {
  const before = cloud.eventBridge.inFlight();
  const snapshot = await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex);
  return { snapshot, busInFlight: Math.max(before, cloud.eventBridge.inFlight()) };
}

async function drain(timeoutMs = 180_000): Promise<void> {
  await waitFor(probe, (p) => isQuiet(p.snapshot, p.busInFlight), { timeoutMs, intervalMs: 500, what: 'the pipeline to drain' });
  await cloud.eventBridge.idle();
  await waitFor(probe, (p) => isQuiet(p.snapshot, p.busInFlight), { timeoutMs, intervalMs: 500, what: 'the pipeline to drain' });
}

async function comparison() {
  return compareIndex(cloud.sql, {
    logicalIndex: StackDefaults.logicalIndex,
    bucket: StackDefaults.vectorBucket,
    endpoint: cloud.ossVectors.endpoint,
    region: cloud.ossVectors.region,
    accountId: cloud.ossVectors.accountId,
    keys: cloud.keys.worker,
  });
}

async function expectIndexEqualsPostgres(): Promise<void> {
  const result = await comparison();
  expect({ missing: result.missing, stale: result.stale, orphaned: result.orphaned }).toEqual({ missing: [], stale: [], orphaned: [] });
}

function operator() {
  return { endpoint: `http://${cloud.eventBridge.endpoint}`, busName: StackDefaults.busName, region: cloud.eventBridge.region, keys: cloud.keys.operator };
}

function manual(data: RunRequestedData): Promise<string> {
  return requestRun(operator(), data);
}

async function emails() {
  return cloud.resend.outbox.list();
}

// The `e2e-postgres` project (vitest.config.ts) runs this file again with DATABASE=postgres.
const skipped = databaseTarget === 'postgres' && postgresServerUrl() === undefined;

beforeAll(async () => {
  if (skipped) return;
  workDir = await mkdtemp(join(tmpdir(), 'e2e-'));
  // Bundles of the code under test, not whatever an earlier `npm run build` left in dist/.
  const distDir = join(workDir, 'dist');
  const root = process.cwd();
  await Promise.all([...discoverFunctions(root, distDir), ...discoverWorker(root, distDir)].map((spec) => bundle(spec)));
  database = await testDatabaseUrl();
  cloud = await startLocalCloud({
    ...(database.databaseUrl === undefined ? {} : { databaseUrl: database.databaseUrl }),
    workDir,
    distDir,
    scheduleIntervalMs: 500,
    reconcileEveryMs: 1500,
    busTimeScale: 0.01,
    recordDeliveries: true,
    onServiceLog: () => undefined,
    // every-run: this suite reads each run's own report e-mail; the digests are tested in handlers-notify.
    settings: { RUN_COMMAND_TIMEOUT_SECONDS: '20', RECONCILE_GRACE_SECONDS: '1', READY_STALE_SECONDS: '30', LOG_LEVEL: 'warn' },
    workerSettings: { SEARCHABLE_WAIT_SECONDS: '5' },
  });
}, 180_000);

afterAll(async () => {
  await cloud?.close();
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skipped)(`the pipeline end to end on the local cloud (${databaseTarget === 'postgres' ? 'PostgreSQL 15' : 'PGlite'})${skipped ? ` (skipped: ${postgresServerSkipReason()})` : ''}`, () => {
  it('brings inserted documents into the index in change batches, archives each run\'s report and sums them in one digest', async () => {
    // Act
    await loadCorpus(cloud.sql, sampleDocuments(400, 11));
    await drain();
    // Assert: every id came through a claim-check batch; each run is one batch
    await expectIndexEqualsPostgres();
    const result = await comparison();
    expect(result.indexed).toBe(400);
    const runs = await cloud.sql<{ run_id: string; state: string; batch_id: string | null; report_disposition: string | null; report_archive_key: string | null }[]>`
      select run_id, state, batch_id, report_disposition, report_archive_key from vector_sync.runs`;
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.state === 'completed' && run.batch_id !== null)).toBe(true);
    expect((await cloud.sql`select distinct document_id from vector_sync.run_items where changed_at is not null`).length).toBe(400);
    // Under the default policy the change-driven runs are held for the digest, each report archived
    expect(runs.every((run) => run.report_disposition === 'digest' && run.report_archive_key !== null)).toBe(true);
    expect(await emails()).toHaveLength(0);
    const archived = await cloud.oss.store.get(cloud.settings.OSS_BUCKET ?? '', runs[0]?.report_archive_key ?? '');
    expect(archived?.body.toString('utf8')).toContain('Index health');
    // An operator asks for the digest of the window now: one e-mail lists every run, with the health
    const windowStart = digestWindowAt(new Date(), Number(cloud.settings.REPORT_DIGEST_MINUTES)).start;
    await requestDigest(operator(), { index: StackDefaults.logicalIndex, windowStart: windowStart.toISOString(), requestedBy: 'e2e' });
    const [digest] = await waitFor(emails, (mails) => mails.length > 0, { timeoutMs: 60_000, intervalMs: 250, what: 'the digest e-mail' });
    expect(digest?.metadata.idempotency_key).toMatch(new RegExp(`^digest/${StackDefaults.logicalIndex}/${windowStart.toISOString()}/manual-digest-`, 'u'));
    for (const run of runs) expect(digest?.html).toContain(run.run_id);
    expect(digest?.html).toContain('Index health');
    // The worker's own tools agree: stats from the ledger and a scan, and a query by document.
    const worker = (...args: string[]) => exec(process.execPath, [cloud.workerBundle, ...args, '--settings', cloud.workerSettingsFiles[0] ?? '']).then((out) => JSON.parse(out.stdout) as Record<string, unknown>);
    expect(await worker('stats', '--index', StackDefaults.logicalIndex, '--scan')).toMatchObject({ ok: true, totalVectors: 400, scannedVectors: 400 });
    const [someone] = await cloud.sql<{ id: string }[]>`select document_id::text as id from public.document_embeddings limit 1`;
    const found = await worker('query', '--index', StackDefaults.logicalIndex, '--document-id', someone?.id ?? '', '--top-k', '3');
    expect((found.results as { key: string }[])[0]?.key).toBe(someone?.id);
  }, 240_000);

  it('applies updates with new content, ignores updates with the same content, and applies deletes', async () => {
    // Prepare
    const ids = (await cloud.sql<{ id: string }[]>`select id::text as id from public.source_documents order by id limit 60`).map((row) => row.id);
    const same = ids.slice(0, 20);
    const changed = ids.slice(20, 40);
    const deleted = ids.slice(40, 60);
    const [mark] = await cloud.sql<{ t: Date }[]>`select now() as t`;
    // Act
    await cloud.sql`update public.source_documents set content = content where id = any(${same}::uuid[])`;
    await cloud.sql`update public.source_documents set content = content || ' (revised)' where id = any(${changed}::uuid[])`;
    await cloud.sql`delete from public.source_documents where id = any(${deleted}::uuid[])`;
    await drain();
    // Assert
    await expectIndexEqualsPostgres();
    expect((await comparison()).indexed).toBe(380);
    const items = await cloud.sql<{ id: string; outcome: string }[]>`select document_id as id, outcome from vector_sync.run_items where updated_at > ${mark?.t ?? new Date(0)}`;
    const outcome = new Map(items.map((item) => [item.id, item.outcome]));
    expect(changed.map((id) => outcome.get(id))).toEqual(changed.map(() => 'upserted'));
    expect(deleted.map((id) => outcome.get(id))).toEqual(deleted.map(() => 'deleted'));
    expect(same.filter((id) => outcome.has(id))).toEqual([]);
  }, 240_000);

  it('empties the index after a TRUNCATE and fills it again', async () => {
    // Act
    await cloud.sql`truncate public.source_documents cascade`;
    await drain();
    // Assert
    expect((await comparison()).indexed).toBe(0);
    // Act
    await loadCorpus(cloud.sql, sampleDocuments(300, 23));
    await drain();
    // Assert
    await expectIndexEqualsPostgres();
    expect((await comparison()).indexed).toBe(300);
  }, 300_000);

  it('refuses a vector the index cannot take and says so in the report', async () => {
    // Act: metadata beyond OSS Vectors' 40 KB per vector
    const [doc] = await cloud.sql<{ id: string }[]>`
      insert into public.source_documents (content, metadata)
      values ('an oversized record', jsonb_build_object('blob', repeat('x', 50000)))
      returning id::text as id`;
    await drain();
    // Assert
    const rejections = await cloud.sql`select reason, run_id from vector_sync.rejections where document_id = ${doc?.id ?? ''}`;
    expect(rejections.map((row) => row.reason)).toEqual(['MetadataTooLarge']);
    // The run's report (archived in OSS; the run is held for the digest) names the document and why
    const [run] = await cloud.sql<{ report_archive_key: string }[]>`select report_archive_key from vector_sync.runs where run_id = ${rejections[0]?.run_id as string}`;
    const report = (await cloud.oss.store.get(cloud.settings.OSS_BUCKET ?? '', run?.report_archive_key ?? ''))?.body.toString('utf8');
    expect(report).toContain('MetadataTooLarge');
    expect(report).toContain(doc?.id);
    await expectIndexEqualsPostgres();
  }, 240_000);

  it('rebuilds into a new generation and switches to it without an empty index', async () => {
    // Prepare
    const [before] = await cloud.sql<{ index_name: string }[]>`select index_name from vector_sync.active_index(${StackDefaults.logicalIndex})`;
    // Act
    const eventId = await manual({ op: 'rebuild', index: StackDefaults.logicalIndex, requestedBy: 'e2e' });
    const run = await waitForRun(cloud.sql, eventId, { timeoutMs: 180_000 });
    // Assert
    expect(run.state).toBe('completed');
    const generations = await cloud.sql<{ index_name: string; state: string }[]>`select index_name, state from vector_sync.indexes where logical_name = ${StackDefaults.logicalIndex} order by created_at`;
    expect(generations.find((g) => g.index_name === before?.index_name)?.state).toBe('dropped');
    expect(generations.find((g) => g.index_name === run.index_name)?.state).toBe('active');
    await expectIndexEqualsPostgres();
  }, 240_000);

  it('finds drift with verify and heals it', async () => {
    // Prepare: a vector disappears behind the pipeline's back
    const before = await comparison();
    const [victim] = await cloud.sql<{ id: string }[]>`select document_id::text as id from public.document_embeddings where document_id::text not in (select document_id from vector_sync.rejections) order by document_id limit 1`;
    const { OssVectorsClient } = await import('../../shared/clients/oss-vectors');
    const client = new OssVectorsClient({ region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, credentials: cloud.keys.worker, endpoint: cloud.ossVectors.endpoint });
    await client.deleteVectors({ bucket: StackDefaults.vectorBucket, indexName: before.indexName, keys: [victim?.id ?? ''] });
    // Act
    const eventId = await manual({ op: 'verify', index: StackDefaults.logicalIndex, heal: true, requestedBy: 'e2e' });
    const run = await waitForRun(cloud.sql, eventId, { timeoutMs: 120_000 });
    await drain();
    // Assert
    const [drift] = await cloud.sql`select sum((result -> 'drift' ->> 'missing')::int) as missing from vector_sync.chunks where run_id = ${run.run_id}`;
    expect(Number(drift?.missing)).toBe(1);
    await expectIndexEqualsPostgres();
  }, 240_000);

  it('has no second effect when every event is delivered again', async () => {
    // Prepare
    await drain();
    const snapshot = async () => ({
      runs: Number((await cloud.sql`select count(*) as n from vector_sync.runs`)[0]?.n),
      attempts: Number((await cloud.sql`select sum(attempts) as n from vector_sync.chunks`)[0]?.n),
      commands: cloud.cloudAssistant.runner.list().length,
      emails: (await emails()).length,
    });
    const before = await snapshot();
    const functions = new Set(cloud.delivered.map((delivery) => delivery.functionName));
    expect([...functions].sort()).toEqual(['chunk', 'collect-stats', 'dispatch', 'notify', 'validate']);
    // Act
    for (const { functionName, event } of [...cloud.delivered]) await cloud.functions.get(functionName)?.invoke(event);
    await drain();
    // Assert
    expect(await snapshot()).toEqual(before);
    await expectIndexEqualsPostgres();
  }, 300_000);

  it('re-dispatches a chunk whose worker was killed and whose completion was lost', async () => {
    // Prepare: PutVectors hangs, so the worker is mid-chunk when it is killed
    const hang = cloud.ossVectors.server.faults.add({ operation: 'PutVectors', kind: 'hang', hangMs: 60_000, count: 1000 });
    cloud.lostTaskCompleted.drop = 1;
    // Act
    await loadCorpus(cloud.sql, sampleDocuments(50, 31));
    await waitFor(() => cloud.sql`select 1 from vector_sync.chunks where state = 'running'`, (rows) => rows.length > 0, { timeoutMs: 60_000, intervalMs: 200, what: 'a running chunk' });
    await exec('pkill', ['-KILL', '-f', 'worker.js chunk']).catch(() => undefined);
    cloud.ossVectors.server.faults.remove(hang.id);
    await drain();
    // Assert
    const retried = await cloud.sql`select attempts, state from vector_sync.chunks where attempts > 1`;
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((chunk) => chunk.state === 'succeeded')).toBe(true);
    await expectIndexEqualsPostgres();
  }, 300_000);

  it('closes and reports a run whose chunks finished but whose every TaskCompleted was lost', async () => {
    // Prepare: the workers record their chunks in the ledger, but no TaskCompleted reaches
    // collect-stats, so no chunk is silent and nobody closes the run but reconcile.
    cloud.lostTaskCompleted.drop = 1000;
    const [mark] = await cloud.sql<{ t: Date }[]>`select now() as t`;
    // Act
    try {
      await loadCorpus(cloud.sql, sampleDocuments(30, 53));
      await drain();
    } finally {
      cloud.lostTaskCompleted.drop = 0;
    }
    // Assert: each run closed once, its report settled once, and the index holds the documents
    const runs = await cloud.sql<{ state: string; report_disposition: string | null }[]>`
      select state, report_disposition from vector_sync.runs where accepted_at > ${mark?.t ?? new Date(0)}`;
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((run) => run.state === 'completed' && run.report_disposition === 'digest')).toBe(true);
    await expectIndexEqualsPostgres();
  }, 300_000);

  it('rides out a storm of 429 answers from OSS Vectors without losing a vector', async () => {
    // Prepare
    // More 429s in a row than one call's five attempts: one chunk attempt gives up and is retried.
    const storm = cloud.ossVectors.server.faults.add({ operation: 'PutVectors', kind: 'status', status: 429, code: 'TooManyRequests', count: 8, headers: { 'retry-after': '0' } });
    // Act
    await loadCorpus(cloud.sql, sampleDocuments(600, 47));
    await drain();
    // Assert
    expect(storm.fired).toBe(8);
    const [runs] = await cloud.sql`select count(*) filter (where state = 'failed') as failed from vector_sync.runs`;
    expect(Number(runs?.failed)).toBe(0);
    await expectIndexEqualsPostgres();
  }, 300_000);
});
