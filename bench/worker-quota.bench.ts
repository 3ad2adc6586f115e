// The worker against the index's write quota. BENCH_ROWS (default 100,000) documents with 384-dim
// embeddings are rebuilt by the real worker (the bundle, one process per chunk, as Cloud Assistant
// runs it) into the OSS Vectors emulator in its own process:
// 1. with the cloud's quota (5 requests/s, 2,500 vectors/s per index) on both sides: vectors/s as a
//    fraction of the quota, and 429 answers as a fraction of the write calls (the emulator counts);
// 2. with the quota off: vectors/s as a fraction of a bare loop (bench/support/bare-loop.ts) that
//    reads the same rows and sends the same PutVectors bodies with the same concurrency. Both write
//    into the same server, the emulator with the quota off, which stores what it gets: the check
//    below needs an index to read, and on a shared machine the server's CPU weighs on both alike.
// The rebuild is planned as the pipeline plans it (CHUNK_MAX_IDS rows per chunk, up to
// MAX_CHUNKS_IN_FLIGHT chunk processes at once, all sharing the index's quota as in production).
// Each index is checked against the source before a speed is reported; a wrong one exits 1.
// One JSON line on stdout; progress on stderr. Sizes while developing: BENCH_ROWS,
// BENCH_CHUNK_MAX_IDS, BENCH_MAX_CHUNKS_IN_FLIGHT; BENCH_DATABASE=postgres|pglite picks the database.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBucket } from '../ecs/vectors';
import { runBareLoop } from './support/bare-loop';
import { countFromEnv, openBenchDatabase, progress, runWorkerBench, seedEmbeddings } from './support/bench-database';
import { CLOUD_WRITE_QUOTA, startEmulatorProcess } from './support/emulator-process';
import { checkIndexAgainstSource } from './support/index-check';
import { BENCH_BUCKET, buildWorkerBundle, parsedWorkerSettings, PIPELINE, workerSettings, writeConcurrencyOf } from './support/worker-chunks';
import { dropIndex, planWorkerRebuild, runWorkerRebuild } from './support/worker-rebuild';

const ROWS = countFromEnv('BENCH_ROWS', 100_000);
const MAX_IDS = countFromEnv('BENCH_CHUNK_MAX_IDS', PIPELINE.CHUNK_MAX_IDS);
const IN_FLIGHT = countFromEnv('BENCH_MAX_CHUNKS_IN_FLIGHT', PIPELINE.MAX_CHUNKS_IN_FLIGHT);
const GOALS = { minQuotaFraction: 0.9, maxThrottledFraction: 0.01, minBareLoopFraction: 0.8 } as const;

function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 1000 : 0;
}

async function main(): Promise<boolean> {
  const workDir = await mkdtemp(join(tmpdir(), 'bench-worker-quota-'));
  const database = await openBenchDatabase();
  try {
    await seedEmbeddings(database.db, ROWS);
    const bundle = await buildWorkerBundle(join(workDir, 'dist'));
    const shared = { database, bundle, workDir, maxInFlight: IN_FLIGHT };

    progress('1/3 worker, cloud quota on both sides');
    const cloud = await startEmulatorProcess(CLOUD_WRITE_QUOTA);
    const quotaOn = await runWorkerRebuild({ ...shared, emulator: cloud, quota: 'cloud', plan: await planWorkerRebuild(database, 'benchquota', MAX_IDS) }).finally(() => cloud.close());

    const free = await startEmulatorProcess(false);
    try {
      // The bare loop writes the worker's page size with the worker's write concurrency, per chunk process.
      const config = parsedWorkerSettings(workerSettings(database.url, free, 'off'));
      const plan = await planWorkerRebuild(database, 'benchfree', MAX_IDS);
      progress('2/3 bare loop, quota off');
      const oss = free.client();
      await ensureBucket(oss, BENCH_BUCKET);
      await oss.putVectorIndex({ bucket: BENCH_BUCKET, indexName: 'benchbare', dimension: 384, distanceMetric: 'cosine' });
      const loop = { processes: IN_FLIGHT, pageRows: config.WORKER_BATCH_ROWS, writeConcurrency: writeConcurrencyOf(config) };
      const before = await free.stats();
      const bare = await runBareLoop({ databaseUrl: database.url, emulator: free, bucket: BENCH_BUCKET, indexName: 'benchbare', ranges: plan.ranges, ...loop });
      const bareCpu = ((await free.stats()).cpuMs - before.cpuMs) / 1000;
      const bareCheck = await checkIndexAgainstSource({ db: database.db, oss, bucket: BENCH_BUCKET, indexName: 'benchbare' });
      await dropIndex(free, 'benchbare');

      progress('3/3 worker, quota off');
      const quotaOff = await runWorkerRebuild({ ...shared, emulator: free, quota: 'off', plan });
      const bareVectorsPerSecond = Math.round(bare.vectors / bare.seconds);
      const figures = {
        quotaFraction: ratio(quotaOn.vectorsPerSecond, CLOUD_WRITE_QUOTA.vectorsPerSecond),
        throttledFraction: ratio(quotaOn.throttled, quotaOn.writeCalls),
        bareLoopFraction: ratio(quotaOff.vectorsPerSecond, bareVectorsPerSecond),
      };
      const correct = quotaOn.check.correct && quotaOn.activated && quotaOff.check.correct && quotaOff.activated && bareCheck.correct;
      const met = {
        quota: figures.quotaFraction >= GOALS.minQuotaFraction,
        throttled: figures.throttledFraction < GOALS.maxThrottledFraction,
        bareLoop: figures.bareLoopFraction >= GOALS.minBareLoopFraction,
      };
      const result = {
        bench: 'worker-quota',
        pass: correct && met.quota && met.throttled && met.bareLoop,
        correct,
        goals: GOALS,
        met,
        ...figures,
        rows: ROWS,
        dimension: 384,
        database: database.kind,
        worker: 'child processes: node <bundle of ecs/worker.ts> chunk --run-id --chunk-no --settings, as ecs/run-chunk.sh execs it (static keys)',
        chunking: { plannedBy: 'validate + chunk (shared/domain)', maxIds: MAX_IDS, maxChunksInFlight: IN_FLIGHT, chunks: quotaOn.chunks },
        quotaOn: { quota: CLOUD_WRITE_QUOTA, quotaEnforcedByServer: cloud.quotaEnforced, ...quotaOn },
        quotaOff: {
          server: 'the OSS Vectors emulator in its own process, writeQuota false, writes stored (the same server for the worker and the bare loop)',
          worker: quotaOff,
          bareLoop: { ...loop, seconds: Math.round(bare.seconds * 100) / 100, vectors: bare.vectors, calls: bare.calls, vectorsPerSecond: bareVectorsPerSecond, serverCpuSeconds: Math.round(bareCpu * 10) / 10, check: bareCheck },
        },
        node: process.versions.node,
        cpus: availableParallelism(),
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return correct;
    } finally {
      await free.close();
    }
  } finally {
    await database.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

await runWorkerBench('worker-quota', GOALS, main);
