// Issue 15's promises end to end on the local cloud: a metadata-only change reaches the index, a
// search run by text finds the document whose text was queried (embedded by the embed-query edge
// function) and mails it, a verify report shows recall@10 over a sample, and a verify with
// `heal: false` reports seeded drift and leaves it in place (a verify with heal on then mends it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, sampleDocuments } from '../../local/corpus';
import { StackDefaults, compareIndex, isQuiet, pipelineSnapshot, requestRun, startLocalCloud, waitFor, waitForRun } from '../../local/stack';
import type { LocalCloud } from '../../local/stack';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { RunRequestedData } from '../../shared/contracts';
import { ChunkResultSchema } from '../../shared/contracts';
import { databaseTarget, postgresServerSkipReason, postgresServerUrl, testDatabaseUrl } from '../helpers/database';

let cloud: LocalCloud;
let workDir: string;
let database: Awaited<ReturnType<typeof testDatabaseUrl>> | undefined;
const skipped = databaseTarget === 'postgres' && postgresServerUrl() === undefined;

async function drain(): Promise<void> {
  const probe = async () => ({ snapshot: await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex), busInFlight: cloud.eventBridge.inFlight() });
  for (let round = 0; round < 2; round += 1) {
    await waitFor(probe, (p) => isQuiet(p.snapshot, p.busInFlight), { timeoutMs: 120_000, intervalMs: 500, what: 'the pipeline to drain' });
    await cloud.eventBridge.idle();
  }
}

function vectors(): OssVectorsClient {
  return new OssVectorsClient({ region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, credentials: cloud.keys.worker, endpoint: cloud.ossVectors.endpoint });
}

async function activeGeneration(): Promise<string> {
  const [row] = await cloud.sql<{ index_name: string }[]>`select index_name from vector_sync.active_index(${StackDefaults.logicalIndex})`;
  return row?.index_name ?? '';
}

/** Runs a manual request to its end; answers the run id, its first chunk's result and its report e-mail. */
async function run(data: RunRequestedData) {
  const operator = { endpoint: `http://${cloud.eventBridge.endpoint}`, busName: StackDefaults.busName, region: cloud.eventBridge.region, keys: cloud.keys.operator };
  const done = await waitForRun(cloud.sql, await requestRun(operator, data), { timeoutMs: 120_000 });
  expect(done.state).toBe('completed');
  const [chunk] = await cloud.sql<{ result: unknown }[]>`select result from vector_sync.chunks where run_id = ${done.run_id} order by chunk_no limit 1`;
  const mails = await waitFor(() => cloud.resend.outbox.list(), (list) => list.some((mail) => mail.html?.includes(done.run_id)), { timeoutMs: 60_000, intervalMs: 250, what: 'the report e-mail' });
  const report = mails.find((mail) => mail.html?.includes(done.run_id));
  return { runId: done.run_id, result: ChunkResultSchema.parse(chunk?.result), html: report?.html ?? '' };
}

beforeAll(async () => {
  if (skipped) return;
  workDir = await mkdtemp(join(tmpdir(), 'e2e-search-'));
  const distDir = join(workDir, 'dist');
  await Promise.all([...discoverFunctions(process.cwd(), distDir), ...discoverWorker(process.cwd(), distDir)].map((spec) => bundle(spec)));
  database = await testDatabaseUrl();
  cloud = await startLocalCloud({
    ...(database.databaseUrl === undefined ? {} : { databaseUrl: database.databaseUrl }),
    workDir,
    distDir,
    scheduleIntervalMs: 500,
    reconcileEveryMs: 1500,
    busTimeScale: 0.01,
    onServiceLog: () => undefined,
    settings: { RUN_COMMAND_TIMEOUT_SECONDS: '20', RECONCILE_GRACE_SECONDS: '1', LOG_LEVEL: 'warn' },
    workerSettings: { SEARCHABLE_WAIT_SECONDS: '5' },
  });
  await loadCorpus(cloud.sql, sampleDocuments(120, 15));
  await drain();
}, 240_000);

afterAll(async () => {
  await cloud?.close();
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(skipped)(`the index is for search, on the local cloud${skipped ? ` (skipped: ${postgresServerSkipReason()})` : ''}`, () => {
  it('brings a metadata-only change into the index', async () => {
    // Prepare
    const [doc] = await cloud.sql<{ id: string }[]>`select id::text as id from public.source_documents order by id limit 1`;
    const id = doc?.id ?? '';
    // Act
    await cloud.sql`update public.source_documents set metadata = metadata || '{"topic": "changed-by-e2e"}' where id = ${id}`;
    await drain();
    // Assert
    const [held] = await vectors().getVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(), keys: [id], returnMetadata: true });
    expect(held?.metadata).toMatchObject({ topic: 'changed-by-e2e' });
    expect(typeof held?.metadata?.snippet).toBe('string');
  }, 180_000);

  it('answers a search run by text with the document whose text was queried first, and mails it', async () => {
    // Prepare: a document's own text as the query
    const [doc] = await cloud.sql<{ id: string; content: string }[]>`select id::text as id, content from public.source_documents order by id desc limit 1`;
    // Act
    const { result, html } = await run({ op: 'search', index: StackDefaults.logicalIndex, queries: [{ text: doc?.content ?? '', label: 'the last document, word for word' }, { documentId: doc?.id ?? '' }], topK: 5, recall: true, passages: false, requestedBy: 'e2e' });
    // Assert
    const [byText, byDocument] = result.search?.queries ?? [];
    expect(byText).toMatchObject({ kind: 'text', label: 'the last document, word for word' });
    expect(byText?.error).toBeUndefined();
    expect(byText?.hits[0]?.documentId).toBe(doc?.id);
    expect(byDocument?.hits[0]?.documentId).toBe(doc?.id);
    expect(result.search?.recall?.k).toBe(5);
    expect(result.search?.archiveKey).toMatch(new RegExp(`^searches/${StackDefaults.logicalIndex}/`, 'u'));
    expect(result.search?.textModel?.models).toBe(1);
    expect(html).toContain(`Text queries were embedded with ${result.search?.textModel?.model ?? '?'}.`);
    expect(html).toContain('the last document, word for word');
    expect(html).toContain(doc?.id ?? '');
  }, 180_000);

  it('reports drift and recall@10 with heal: false and leaves the drift in place; heal on mends it', async () => {
    // Prepare: a vector deleted behind the pipeline's back
    const [doc] = await cloud.sql<{ id: string }[]>`select document_id::text as id from public.document_embeddings order by document_id limit 1 offset 7`;
    const id = doc?.id ?? '';
    await vectors().deleteVectors({ bucket: StackDefaults.vectorBucket, indexName: await activeGeneration(), keys: [id] });
    // Act
    const unhealed = await run({ op: 'verify', index: StackDefaults.logicalIndex, heal: false, requestedBy: 'e2e' });
    await drain();
    // Assert: reported, with recall@10, and still missing
    expect(unhealed.result.drift).toMatchObject({ missing: 1 });
    expect(unhealed.result.recall).toMatchObject({ k: 10 });
    expect(unhealed.result.recall?.sampled).toBeGreaterThan(0);
    expect(unhealed.html).toContain('left in place: this run was asked not to heal (heal: false)');
    expect(unhealed.html).toMatch(/recall@10 over \d+ sampled documents: [01]\.\d\d/u);
    const keys = { logicalIndex: StackDefaults.logicalIndex, bucket: StackDefaults.vectorBucket, endpoint: cloud.ossVectors.endpoint, region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, keys: cloud.keys.worker };
    expect((await compareIndex(cloud.sql, keys)).missing).toEqual([id]);
    // Act: heal on
    const healed = await run({ op: 'verify', index: StackDefaults.logicalIndex, heal: true, requestedBy: 'e2e' });
    await drain();
    // Assert
    expect(healed.result.healed).toBe(1);
    expect((await compareIndex(cloud.sql, keys)).missing).toEqual([]);
  }, 240_000);
});
