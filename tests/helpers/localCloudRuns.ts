// The end-to-end suites' use of a local cloud started from the bundles: start it (on the suite's
// database target), drain the pipeline, read the active generation through OSS Vectors, and run a
// manual request to its end with its first chunk's result and its report e-mail.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { StackDefaults, isQuiet, pipelineSnapshot, requestRun, startLocalCloud, waitFor, waitForRun } from '../../local/stack';
import type { LocalCloud } from '../../local/stack';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { ChunkResult, RunRequestedData } from '../../shared/contracts';
import { ChunkResultSchema } from '../../shared/contracts';
import { testDatabaseUrl } from './database';

/** A local cloud on the suite's database target, with its work directory; close() removes both. */
export interface E2eCloud {
  readonly cloud: LocalCloud;
  close(): Promise<void>;
}

/** Bundles the handlers and the worker and starts a fast-ticking local cloud on them. */
export async function startE2eCloud(prefix: string): Promise<E2eCloud> {
  const workDir = await mkdtemp(join(tmpdir(), prefix));
  const distDir = join(workDir, 'dist');
  await Promise.all([...discoverFunctions(process.cwd(), distDir), ...discoverWorker(process.cwd(), distDir)].map((spec) => bundle(spec)));
  const database = await testDatabaseUrl();
  const cloud = await startLocalCloud({
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
  return {
    cloud,
    async close() {
      await cloud.close();
      await database.drop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Waits until every stage is quiet, twice (a run's completion can start more work). */
export async function drain(cloud: LocalCloud): Promise<void> {
  const probe = async () => ({ snapshot: await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex), busInFlight: cloud.eventBridge.inFlight() });
  for (let round = 0; round < 2; round += 1) {
    await waitFor(probe, (p) => isQuiet(p.snapshot, p.busInFlight), { timeoutMs: 120_000, intervalMs: 500, what: 'the pipeline to drain' });
    await cloud.eventBridge.idle();
  }
}

/** An OSS Vectors client with the worker's keys. */
export function vectorsClient(cloud: LocalCloud): OssVectorsClient {
  return new OssVectorsClient({ region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, credentials: cloud.keys.worker, endpoint: cloud.ossVectors.endpoint });
}

/** The logical index's active generation. */
export async function activeGeneration(cloud: LocalCloud): Promise<string> {
  const [row] = await cloud.sql<{ index_name: string }[]>`select index_name from vector_sync.active_index(${StackDefaults.logicalIndex})`;
  return row?.index_name ?? '';
}

/** What compareIndex needs to read the active generation. */
export function indexAccess(cloud: LocalCloud) {
  return { logicalIndex: StackDefaults.logicalIndex, bucket: StackDefaults.vectorBucket, endpoint: cloud.ossVectors.endpoint, region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, keys: cloud.keys.worker };
}

/** Runs a manual request to its end; answers the run id, its first chunk's result and its report e-mail. */
export async function runToEnd(cloud: LocalCloud, data: RunRequestedData): Promise<{ runId: string; result: ChunkResult; html: string }> {
  const operator = { endpoint: `http://${cloud.eventBridge.endpoint}`, busName: StackDefaults.busName, region: cloud.eventBridge.region, keys: cloud.keys.operator };
  const done = await waitForRun(cloud.sql, await requestRun(operator, data), { timeoutMs: 120_000 });
  expect(done.state).toBe('completed');
  const [chunk] = await cloud.sql<{ result: unknown }[]>`select result from vector_sync.chunks where run_id = ${done.run_id} order by chunk_no limit 1`;
  const mails = await waitFor(() => cloud.resend.outbox.list(), (list) => list.some((mail) => mail.html?.includes(done.run_id)), { timeoutMs: 60_000, intervalMs: 250, what: 'the report e-mail' });
  const report = mails.find((mail) => mail.html?.includes(done.run_id));
  return { runId: done.run_id, result: ChunkResultSchema.parse(chunk?.result), html: report?.html ?? '' };
}
