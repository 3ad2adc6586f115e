// The worker as production runs it: the bundle `npm run build` makes (built here from the current
// source), started once per chunk as a child process exactly as ecs/run-chunk.sh execs it
// (`node worker.js chunk --run-id … --chunk-no … --settings <file>`, Cloud Assistant's bare
// environment, a root-only settings file with static keys). A rebuild run is opened and cut into
// chunks by the pipeline's own domain code (validate, chunk), and the chunks are handed out like
// dispatch does: a slot of MAX_CHUNKS_IN_FLIGHT taken in the ledger, the chunk marked dispatched,
// then the process started.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { bundle, discoverWorker } from '../../scripts/bundle';
import { loadConfig, WorkerConfigSchema } from '../../shared/config';
import type { WorkerConfig } from '../../shared/config';
import { ChunkResultSchema, EventType, parseWorkerSummary, RunOp } from '../../shared/contracts';
import { chunkRun } from '../../shared/domain/chunk';
import { openRunForEvent } from '../../shared/domain/validate';
import type { Ledger } from '../../shared/ledger';
import { progress } from './bench-database';
import type { EmulatorProcess } from './emulator-process';

/** The vector bucket every worker benchmark writes into. */
export const BENCH_BUCKET = 'benchvectors';

/** The pipeline's defaults: ids (rows) per chunk and chunks in flight across the pool. */
export const PIPELINE = { CHUNK_MAX_IDS: 5_000, MAX_CHUNKS_IN_FLIGHT: 4 } as const;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles ecs/worker.ts the way `npm run build` does, into `outDir`; returns the bundle's path. */
export async function buildWorkerBundle(outDir: string): Promise<string> {
  const [spec] = discoverWorker(ROOT, outDir);
  if (spec === undefined) throw new Error('ecs/worker.ts is missing');
  const built = await bundle(spec, { define: { __WORKER_VERSION__: JSON.stringify('bench') } });
  return built.outfile;
}

/** The cloud's quota on the worker's side (its defaults), or "quota off" as issue 14 defines it. */
export type WorkerQuota = 'cloud' | 'off';

const QUOTA_SETTINGS: Readonly<Record<WorkerQuota, Readonly<Record<string, string>>>> = {
  cloud: { INDEX_WRITE_QPS: '5', INDEX_WRITE_VECTORS_PER_SECOND: '2500' },
  off: { INDEX_WRITE_QPS: '1000', INDEX_WRITE_VECTORS_PER_SECOND: '1000000' },
};

/** The node flags ecs/run-chunk.sh starts the worker with (its heap limits), so the benches measure the same process. */
export function workerNodeFlags(): string[] {
  const script = readFileSync(fileURLToPath(new URL('../../ecs/run-chunk.sh', import.meta.url)), 'utf8');
  const line = /^exec "\$NODE" (.*?)"\$BUNDLE"/mu.exec(script)?.[1] ?? '';
  return line.split(' ').filter((flag) => flag.startsWith('--'));
}

/** The worker's settings file for `emulator`, with the index write quota on or off. */
export function workerSettings(databaseUrl: string, emulator: EmulatorProcess, quota: WorkerQuota): Record<string, string> {
  return {
    SUPABASE_DB_URL: databaseUrl,
    OSS_VECTORS_REGION: emulator.region,
    OSS_VECTORS_ENDPOINT: emulator.endpoint,
    ALIBABA_ACCOUNT_ID: emulator.accountId,
    VECTOR_BUCKET: BENCH_BUCKET,
    ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.credential.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.credential.accessKeySecret,
    ...QUOTA_SETTINGS[quota],
  };
}

/** The settings as the worker reads them (defaults applied): page size, write concurrency. */
export function parsedWorkerSettings(settings: Readonly<Record<string, string>>): WorkerConfig {
  return loadConfig('worker', WorkerConfigSchema, settings);
}

/** PutVectors a chunk keeps in flight: WORKER_WRITE_CONCURRENCY once the worker has it, one call at a time before. */
export function writeConcurrencyOf(config: WorkerConfig): number {
  return 'WORKER_WRITE_CONCURRENCY' in config ? Number(config.WORKER_WRITE_CONCURRENCY) : 1;
}

/**
 * Writes the settings file as an operator would on the instance (ecs/run-chunk.sh refuses anything
 * else): KEY=value lines, mode 600, in a mode 700 folder under `home`. Returns its path.
 */
export async function writeSettingsFile(home: string, settings: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(home, '.vector-sync');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'worker.env');
  await writeFile(path, `${Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n')}\n`, { mode: 0o600 });
  return path;
}

/**
 * Opens a rebuild of `logicalName` as validate does for a `run.requested` event (a new generation
 * registered, in the bench bucket, 384-dim cosine) and cuts it into chunks as chunk does, `maxIds`
 * rows per key range. Returns the run id, its generation and its chunk numbers.
 */
export async function planRebuild(ledger: Ledger, logicalName: string, maxIds: number): Promise<{ runId: string; indexName: string; chunkNos: number[] }> {
  const source = { id: `bench-${logicalName}-${Date.now()}`, type: EventType.RunRequested, data: { op: RunOp.Rebuild, index: logicalName } } as const;
  const run = await openRunForEvent(ledger, source, { bucket: BENCH_BUCKET, dimension: 384, metric: 'cosine' });
  const chunks = await chunkRun(ledger, run.run_id, maxIds);
  return { runId: run.run_id, indexName: run.index_name, chunkNos: chunks.map((chunk) => chunk.chunk_no) };
}

// Prints the process's peak RSS (kB) as it exits: a preload, so the worker's own code is untouched.
// VmHWM, not resourceUsage().maxRSS: Linux carries maxRSS over exec from the forked parent, so a
// child of a big bench process would report the parent's size.
const RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  'import{readFileSync}from"node:fs";process.on("exit",()=>{const m=/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status","utf8"));process.stderr.write(JSON.stringify({benchPeakRssKb:Number(m?.[1])})+"\\n")})',
)}`;
const RssLineSchema = z.object({ benchPeakRssKb: z.number().positive() });
const LogLineSchema = z.looseObject({ level: z.string(), message: z.string() });

/** One worker process that ran one chunk. */
export interface ChunkProcess {
  readonly chunkNo: number;
  readonly seconds: number;
  readonly upserted: number;
  /** The process's peak resident set (VmHWM), in kB. */
  readonly peakRssKb: number;
  /** How long its validation query took (querying, and waiting for written vectors to become searchable). */
  readonly validationMs: number;
}

function parsedLine<T>(schema: z.ZodType<T>, line: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `node <bundle> chunk …` with Cloud Assistant's bare environment; fails unless it exits 0 with an ok summary. */
async function runWorkerProcess(input: { bundle: string; settingsPath: string; home: string; runId: string; chunkNo: number }): Promise<ChunkProcess> {
  const started = performance.now();
  const args = [...workerNodeFlags(), '--import', RSS_HOOK, input.bundle, 'chunk', '--run-id', input.runId, '--chunk-no', String(input.chunkNo), '--settings', input.settingsPath];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: input.home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  let peakRssKb = 0;
  const tail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    const rss = parsedLine(RssLineSchema, line);
    if (rss) peakRssKb = rss.benchPeakRssKb;
    else tail.push(line);
    if (tail.length > 20) tail.shift();
    const log = parsedLine(LogLineSchema, line);
    if (log && (log.level === 'warn' || log.level === 'error')) process.stderr.write(`worker ${input.chunkNo}: ${line}\n`);
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const summary = parseWorkerSummary(stdout);
  if (code !== 0 || !summary.ok) throw new Error(`worker chunk ${input.chunkNo} exited ${String(code)}: ${stdout.trim()}\n${tail.join('\n')}`);
  const counts = ChunkResultSchema.safeParse(summary);
  return { chunkNo: input.chunkNo, seconds: (performance.now() - started) / 1000, upserted: counts.success ? counts.data.upserted : 0, peakRssKb, validationMs: counts.success ? (counts.data.validation?.waitedMs ?? 0) : 0 };
}

/** What handing out a run's chunks measured. */
export interface ChunksRun {
  /** From the first chunk's dispatch to the last process's exit. */
  readonly seconds: number;
  readonly processes: readonly ChunkProcess[];
}

/**
 * Hands out the run's chunks as dispatch does, at most `maxInFlight` at once: each takes a slot in
 * the ledger (plan_chunk_instance), is marked dispatched, then runs as its own worker process.
 */
export async function runChunks(input: { ledger: Ledger; runId: string; chunkNos: readonly number[]; maxInFlight: number; bundle: string; settingsPath: string; home: string }): Promise<ChunksRun> {
  const queue = [...input.chunkNos];
  const processes: ChunkProcess[] = [];
  const started = performance.now();
  const lane = async (slot: number): Promise<void> => {
    for (let chunkNo = queue.shift(); chunkNo !== undefined; chunkNo = queue.shift()) {
      const instanceId = `i-bench${slot}`;
      const plan = await input.ledger.planChunkInstance({ runId: input.runId, chunkNo, attempt: 1, instanceId, maxInFlight: input.maxInFlight });
      if (plan.outcome !== 'planned') throw new Error(`chunk ${chunkNo} could not take a slot: ${plan.outcome}`);
      await input.ledger.markChunkDispatched({ runId: input.runId, chunkNo, commandId: `c-bench-${chunkNo}`, invokeId: `t-bench-${chunkNo}`, instanceId });
      const done = await runWorkerProcess({ ...input, chunkNo }).catch((error: unknown) => {
        // No further chunks: the run has failed, and the bench is about to close the database.
        queue.length = 0;
        throw error;
      });
      processes.push(done);
      progress('chunk done', { chunkNo, upserted: done.upserted, seconds: Math.round(done.seconds * 10) / 10, peakRssMb: Math.round(done.peakRssKb / 1024), chunksDone: processes.length, chunks: input.chunkNos.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.maxInFlight, input.chunkNos.length) }, (_, slot) => lane(slot)));
  return { seconds: (performance.now() - started) / 1000, processes };
}
