// The worker's peak RSS against the size of what it rebuilds: 10k, 100k and 300k vectors of 384
// dims (BENCH_MEMORY_ROWS="10000,100000,300000"), each rebuilt by one worker process (the bundle,
// as Cloud Assistant runs it) into the OSS Vectors emulator in its own process with the quota off
// (to keep it short). One chunk over all rows, not the pipeline's chunks of 5,000: a chunk caps what
// one process handles, so only a single chunk shows whether the worker's memory grows with its
// input. The peak is the process's maxRSS, printed at its exit by a preload (the worker's code is
// untouched). Each index is checked against the source first; a wrong one exits 1. One JSON line
// on stdout; progress on stderr. BENCH_DATABASE=postgres|pglite picks the database.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBenchDatabase, progress, runWorkerBench, seedEmbeddings } from './support/bench-database';
import { startEmulatorProcess } from './support/emulator-process';
import { buildWorkerBundle } from './support/worker-chunks';
import { dropIndex, planWorkerRebuild, runWorkerRebuild } from './support/worker-rebuild';

const SIZES = (process.env.BENCH_MEMORY_ROWS ?? '10000,100000,300000').split(',').map((size) => Number(size.trim()));
const GOALS = { maxGrowthSmallestToLargest: 1.2, maxPeakRssMb: 200 } as const;

async function main(): Promise<boolean> {
  if (SIZES.length < 2 || SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_MEMORY_ROWS must list at least two row counts, e.g. 10000,100000,300000');
  const sizes = [...SIZES].sort((a, b) => a - b);
  const workDir = await mkdtemp(join(tmpdir(), 'bench-worker-memory-'));
  const database = await openBenchDatabase();
  const emulator = await startEmulatorProcess(false);
  try {
    const bundle = await buildWorkerBundle(join(workDir, 'dist'));
    const runs = [];
    let seeded = 0;
    for (const rows of sizes) {
      seeded = await seedEmbeddings(database.db, rows - seeded);
      progress('rebuild as one chunk', { rows });
      // More ids per chunk than rows: the plan is one key range open at both ends.
      const plan = await planWorkerRebuild(database, `mem${rows}`, rows + 1);
      const rebuild = await runWorkerRebuild({ database, emulator, bundle, workDir, plan, quota: 'off', maxInFlight: 1 });
      await dropIndex(emulator, plan.indexName);
      if (!(rebuild.peakRssMb > 0)) throw new Error('the worker reported no peak RSS (VmHWM needs Linux /proc)');
      runs.push({ rows, peakRssMb: rebuild.peakRssMb, seconds: rebuild.seconds, vectorsPerSecond: rebuild.vectorsPerSecond, chunks: rebuild.chunks, activated: rebuild.activated, check: rebuild.check });
    }
    const smallest = runs[0];
    const largest = runs.at(-1);
    const growth = smallest && largest ? Math.round((largest.peakRssMb / smallest.peakRssMb) * 100) / 100 : 0;
    const correct = runs.every((run) => run.check.correct && run.activated && run.chunks === 1);
    const met = { growth: growth <= GOALS.maxGrowthSmallestToLargest, peak: (largest?.peakRssMb ?? Infinity) < GOALS.maxPeakRssMb };
    const result = {
      bench: 'worker-memory',
      pass: correct && met.growth && met.peak,
      correct,
      goals: GOALS,
      met,
      growth,
      peakRssMb: largest?.peakRssMb,
      runs,
      dimension: 384,
      database: database.kind,
      worker: 'one child process per rebuild: node <bundle of ecs/worker.ts> chunk --run-id --chunk-no --settings (static keys), quota off',
      chunking: 'one chunk over all rows',
      server: 'the OSS Vectors emulator in its own process, writeQuota false',
      node: process.versions.node,
      cpus: availableParallelism(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return correct;
  } finally {
    await emulator.close();
    await database.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

await runWorkerBench('worker-memory', GOALS, main);
