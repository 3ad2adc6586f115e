// What both worker benchmarks do: a rebuild of the seeded rows by the real worker into an emulator
// process, measured (wall time, vectors/s, write calls and 429s as the emulator counted them, the
// processes' peak RSS) and then checked (the index equals the source; the generation is active).
import { join } from 'node:path';
import { ensureBucket } from '../../ecs/vectors';
import type { RangeSelector } from '../../shared/contracts';
import { createSql, Ledger } from '../../shared/ledger';
import type { BenchDatabase } from './bench-database';
import { progress } from './bench-database';
import { statsBetween } from './emulator-process';
import type { EmulatorProcess } from './emulator-process';
import { checkIndexAgainstSource } from './index-check';
import type { IndexCheck } from './index-check';
import { BENCH_BUCKET, planRebuild, runChunks, workerSettings, writeSettingsFile } from './worker-chunks';
import type { ChunkProcess, WorkerQuota } from './worker-chunks';

/** A rebuild run opened and cut into chunks, not yet run. */
export interface PlannedRebuild {
  readonly logicalName: string;
  readonly runId: string;
  readonly indexName: string;
  readonly chunkNos: readonly number[];
  /** The chunks' key ranges, in order (the bare loop takes the same ones). */
  readonly ranges: readonly RangeSelector[];
}

/** Opens a rebuild of `logicalName` as the pipeline does and plans its chunks of `maxIds` rows. */
export async function planWorkerRebuild(database: BenchDatabase, logicalName: string, maxIds: number): Promise<PlannedRebuild> {
  const ledger = new Ledger(createSql(database.url, { max: 1, applicationName: 'bench' }));
  try {
    const plan = await planRebuild(ledger, logicalName, maxIds);
    const ranges = (await ledger.chunks(plan.runId)).map((chunk) => chunk.selector).filter((selector): selector is RangeSelector => 'through' in selector);
    return { logicalName, ...plan, ranges };
  } finally {
    await ledger.close();
  }
}

/** What a worker rebuild measured and what the check found. */
export interface WorkerRebuild {
  readonly chunks: number;
  readonly maxInFlight: number;
  /** From the first chunk's dispatch to the last worker process's exit. */
  readonly seconds: number;
  /** Vectors the chunks reported written. */
  readonly vectors: number;
  readonly vectorsPerSecond: number;
  /** PutVectors and DeleteVectors calls the emulator answered, and the 429s among them. */
  readonly writeCalls: number;
  readonly writeCallsPerSecond: number;
  readonly throttled: number;
  readonly failedWrites: number;
  /** CPU seconds the emulator process spent meanwhile (is the server the bottleneck?). */
  readonly serverCpuSeconds: number;
  /** The largest peak RSS of the worker processes, in MB. */
  readonly peakRssMb: number;
  readonly chunkSeconds: { readonly min: number; readonly median: number; readonly max: number };
  /** Summed over the chunks: time their validation queries took (searchable delay included). */
  readonly validationSeconds: number;
  /** The generation the rebuild built is the active one now. */
  readonly activated: boolean;
  readonly check: IndexCheck;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function spread(processes: readonly ChunkProcess[]): WorkerRebuild['chunkSeconds'] {
  const sorted = processes.map((p) => p.seconds).sort((a, b) => a - b);
  return { min: round(sorted[0] ?? 0), median: round(sorted[Math.floor(sorted.length / 2)] ?? 0), max: round(sorted.at(-1) ?? 0) };
}

/**
 * Runs a planned rebuild with the worker bundle at `bundle` against `emulator` (up to `maxInFlight`
 * chunk processes at once, the worker's quota settings `quota`), then checks the index it built.
 */
export async function runWorkerRebuild(input: { database: BenchDatabase; emulator: EmulatorProcess; bundle: string; workDir: string; plan: PlannedRebuild; quota: WorkerQuota; maxInFlight: number }): Promise<WorkerRebuild> {
  const { emulator, plan } = input;
  const home = join(input.workDir, `home-${plan.logicalName}`);
  const settingsPath = await writeSettingsFile(home, workerSettings(input.database.url, emulator, input.quota));
  const oss = emulator.client();
  await ensureBucket(oss, BENCH_BUCKET);
  const ledger = new Ledger(createSql(input.database.url, { max: 2, applicationName: 'bench-dispatch' }));
  try {
    progress('worker rebuild', { index: plan.logicalName, generation: plan.indexName, chunks: plan.chunkNos.length, maxInFlight: input.maxInFlight, quota: input.quota });
    const before = await emulator.stats();
    const run = await runChunks({ ledger, runId: plan.runId, chunkNos: plan.chunkNos, maxInFlight: input.maxInFlight, bundle: input.bundle, settingsPath, home });
    const served = statsBetween(before, await emulator.stats());
    const writes = ['PutVectors', 'DeleteVectors'].map((name) => served.operations[name] ?? { calls: 0, throttled: 0, failed: 0 });
    const vectors = run.processes.reduce((sum, p) => sum + p.upserted, 0);
    const writeCalls = writes.reduce((sum, w) => sum + w.calls, 0);
    const activated = (await ledger.index(plan.indexName))?.state === 'active';
    progress('checking the index against the source', { generation: plan.indexName });
    const check = await checkIndexAgainstSource({ db: input.database.db, oss, bucket: BENCH_BUCKET, indexName: plan.indexName });
    return {
      chunks: plan.chunkNos.length,
      maxInFlight: input.maxInFlight,
      seconds: round(run.seconds, 2),
      vectors,
      vectorsPerSecond: Math.round(vectors / run.seconds),
      writeCalls,
      writeCallsPerSecond: round(writeCalls / run.seconds, 2),
      throttled: writes.reduce((sum, w) => sum + w.throttled, 0),
      failedWrites: writes.reduce((sum, w) => sum + w.failed, 0),
      serverCpuSeconds: round(served.cpuMs / 1000),
      peakRssMb: round(Math.max(0, ...run.processes.map((p) => p.peakRssKb)) / 1024),
      chunkSeconds: spread(run.processes),
      validationSeconds: round(run.processes.reduce((sum, p) => sum + p.validationMs, 0) / 1000),
      activated,
      check,
    };
  } finally {
    await ledger.close();
  }
}

/** Frees the emulator's memory once a generation is checked (the next measurement starts alike). */
export async function dropIndex(emulator: EmulatorProcess, indexName: string): Promise<void> {
  await emulator.client().deleteVectorIndex({ bucket: BENCH_BUCKET, indexName });
}
