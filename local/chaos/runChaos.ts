// One chaos run: boots the local cloud with its Postgres behind the fault proxy, loads the corpus,
// then for the fault window applies the seeded fault plan to every hop while the workload edits,
// deletes, inserts and asks for rebuilds; lifts the faults, waits for the pipeline to go quiet and
// checks what it ended with.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCorpus, sampleDocuments } from '../corpus';
import { FunctionSizing, StackDefaults, isQuiet, pipelineSnapshot, startLocalCloud, waitFor } from '../stack';
import type { LocalCloud, PipelineSnapshot } from '../stack';
import { checkChaosOutcome } from './checks';
import type { ChaosVerdict } from './checks';
import { planCounts, planFaults } from './faultPlan';
import { FaultInjection } from './FaultInjection';
import type { FaultTally } from './FaultInjection';
import { startPostgresFaultProxy } from './postgresProxy';
import type { PostgresFaultProxy } from './postgresProxy';
import { SeededRandom } from './random';
import { planWorkload, runStep } from './workload';
import type { StepOutcome, WorkloadStep } from './workload';

/** How to run chaos. */
export interface ChaosOptions {
  readonly seed: number;
  readonly documents: number;
  /** How long the faults strike, in seconds. */
  readonly faultSeconds: number;
  readonly workDir: string;
  /** Where the bundles are; default `dist`. */
  readonly distDir?: string;
  /** A real Postgres instead of PGlite (as `npm start -- --database-url`). */
  readonly databaseUrl?: string;
  /** How long the pipeline may take to go quiet once the faults are lifted. */
  readonly quietTimeoutMs: number;
  /** notify's REPORT_POLICY; default digest (one-minute windows). */
  readonly reportPolicy?: 'digest' | 'every-run';
  /** Receives the progress events (one JSON line each on stderr for the CLI). */
  readonly progress: (event: Readonly<Record<string, unknown>>) => void;
  /** Receives the functions', edge functions' and scheduler's log lines. */
  readonly log?: (line: string) => void;
}

/** What a chaos run reports. */
export interface ChaosSummary extends ChaosVerdict {
  readonly ok: boolean;
  readonly seed: number;
  readonly documents: number;
  readonly faultSeconds: number;
  readonly seconds: { readonly total: number; readonly toQuiet: number };
  readonly workload: Record<string, number>;
  /** Faults by hop and kind: planned, and how many calls, connections or processes they struck. */
  readonly faults: FaultTally;
  readonly faultsInjected: number;
}

/**
 * The settings of the chaos profile: the clocks of the recovery paths shortened (as the end-to-end
 * suite does) so that a lost hand-off is found in seconds, not minutes, and one-minute digest
 * windows; chunks of 1,000 ids so that a bulk load runs as several chunks in parallel. The faults
 * are far denser than a bad day's, so a chunk gets the most attempts allowed (10) rather than 3:
 * the run tests recovery, and reports the chunks that needed more than 3 (tests of the limit itself
 * are in tests/integration/handlers-collect-stats.test.ts).
 */
const CHAOS_SETTINGS = {
  MAX_CHUNK_ATTEMPTS: '10',
  RUN_COMMAND_TIMEOUT_SECONDS: '60',
  RECONCILE_GRACE_SECONDS: '5',
  READY_STALE_SECONDS: '15',
  REPORT_DIGEST_MINUTES: '1',
  CHUNK_MAX_IDS: '1000',
} as const;

/** Waits until `atMs` after `start`, then runs `work`; the steps run in order, each without waiting for the last. */
async function onSchedule<T extends { readonly atMs: number }, R>(steps: readonly T[], start: number, stopped: () => boolean, work: (step: T) => Promise<R>): Promise<R[]> {
  const running: Promise<R>[] = [];
  for (const step of steps) {
    await sleep(Math.max(0, start + step.atMs - Date.now()));
    if (stopped()) break;
    running.push(work(step));
  }
  return Promise.all(running);
}

async function probe(cloud: LocalCloud): Promise<{ snapshot: PipelineSnapshot; busInFlight: number; digestsPending: number }> {
  const before = cloud.eventBridge.inFlight();
  const snapshot = await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex);
  const [digests] = await cloud.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.digests where state <> 'sent'`;
  return { snapshot, busInFlight: Math.max(before, cloud.eventBridge.inFlight()), digestsPending: digests?.n ?? 0 };
}

function workloadCounts(outcomes: readonly StepOutcome[], planned: readonly WorkloadStep[]): Record<string, number> {
  const rows = (kind: WorkloadStep['kind']): number => outcomes.filter((o) => o.step.kind === kind).reduce((sum, o) => sum + o.count, 0);
  return { edited: rows('edit'), deleted: rows('delete'), inserted: rows('insert'), rebuildsRequested: planned.filter((s) => s.kind === 'rebuild').length, rebuildPutEventsAttempts: rows('rebuild') };
}

/** Every chunk command the instances ran, with the last lines of the worker's output: where to look when a check fails. */
function workerRuns(cloud: LocalCloud): unknown[] {
  return cloud.cloudAssistant.runner.list().reverse().flatMap((record) =>
    record.runs.map((run) => ({
      invokeId: record.invokeId,
      commandId: record.commandId,
      parameters: { runId: record.spec.parameters.runId, chunkNo: record.spec.parameters.chunkNo },
      instanceId: run.instanceId,
      status: run.status,
      exitCode: run.exitCode,
      started: run.startTime,
      finished: run.finishTime,
      output: run.output.toString('utf8').split('\n').slice(-12),
    })),
  );
}

function injected(tally: FaultTally): number {
  return Object.values(tally).flatMap((byKind) => Object.values(byKind)).reduce((sum, row) => sum + row.injected, 0);
}

/** Runs chaos once and answers the summary; `ok` is true only when every check holds. */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const started = Date.now();
  const windowMs = options.faultSeconds * 1000;
  const random = new SeededRandom(options.seed);
  const plan = planFaults(random.fork('faults'), { windowMs, functions: Object.keys(FunctionSizing), instances: StackDefaults.instances });
  const work = planWorkload(random.fork('workload'), { seed: options.seed, windowMs, documents: options.documents });
  const say = (phase: string, fields: Record<string, unknown> = {}): void => options.progress({ t: Math.round((Date.now() - started) / 100) / 10, seed: options.seed, phase, ...fields });
  await mkdir(options.workDir, { recursive: true });
  await writeFile(join(options.workDir, 'plan.json'), `${JSON.stringify({ seed: options.seed, faults: plan, workload: work }, null, 1)}\n`);
  say('plan', { faults: planCounts(plan), workloadSteps: work.length, rebuilds: work.filter((s) => s.kind === 'rebuild').map((s) => s.atMs) });
  let proxy: PostgresFaultProxy | undefined;
  const cloud = await startLocalCloud({
    workDir: options.workDir,
    ...(options.distDir ? { distDir: options.distDir } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    onFunctionOutput: options.log ?? (() => undefined),
    onServiceLog: options.log ?? (() => undefined),
    scheduleIntervalMs: 1000,
    reconcileEveryMs: 2000,
    digestEveryMs: 2000,
    busTimeScale: 0.05,
    settings: { ...CHAOS_SETTINGS, REPORT_POLICY: options.reportPolicy ?? 'digest' },
    workerSettings: { SEARCHABLE_WAIT_SECONDS: '5' },
    clientDatabaseUrl: async (url) => {
      const parsed = new URL(url);
      proxy = await startPostgresFaultProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) }, random.fork('proxy'));
      return proxy.urlFor(url);
    },
  });
  try {
    if (!proxy) throw new Error('the local cloud did not ask for the database proxy');
    say('booted', { postgres: cloud.supabase.postgres.kind });
    await loadCorpus(cloud.sql, sampleDocuments(options.documents, options.seed));
    say('loaded', { documents: options.documents });
    const injection = new FaultInjection(cloud, proxy, random.fork('injection'));
    const windowStart = Date.now();
    let lifted = false;
    const ticker = setInterval(() => {
      void probe(cloud).then(
        (p) => say(lifted ? 'recovering' : 'faults', { faultsInjected: injected(injection.tally()), embedded: p.snapshot.embedded, documents: p.snapshot.documents, runs: p.snapshot.runs, chunks: p.snapshot.chunks, vectors: p.snapshot.vectors, busInFlight: p.busInFlight }),
        () => undefined,
      );
    }, 5_000);
    try {
      const faultsDone = onSchedule(plan, windowStart, () => lifted, (fault) => injection.apply(fault));
      const workDone = onSchedule(work, windowStart, () => false, (step) => runStep(cloud.sql, { endpoint: `http://${cloud.eventBridge.endpoint}`, busName: StackDefaults.busName, region: cloud.eventBridge.region, keys: cloud.keys.operator }, step, options.seed));
      await sleep(Math.max(0, windowStart + windowMs - Date.now()));
      lifted = true;
      injection.liftAll();
      say('lifted', { faults: injection.tally() });
      await faultsDone;
      const outcomes = await workDone;
      const quietFrom = Date.now();
      const quiet = (p: Awaited<ReturnType<typeof probe>>): boolean => p.snapshot.documents > 0 && isQuiet(p.snapshot, p.busInFlight) && p.digestsPending === 0;
      const quietInTime = await waitFor(() => probe(cloud), quiet, { timeoutMs: options.quietTimeoutMs, intervalMs: 1000, what: 'the pipeline to go quiet after the faults' })
        // A duplicate or retry still waiting on the bus may open a run: quiet twice, with the bus idle between.
        .then(() => cloud.eventBridge.idle())
        .then(() => waitFor(() => probe(cloud), quiet, { timeoutMs: options.quietTimeoutMs, intervalMs: 1000, what: 'the pipeline to stay quiet' }))
        .then(
          () => true,
          (error: unknown) => {
            say('not quiet', { error: error instanceof Error ? error.message : String(error) });
            return false;
          },
        );
      const toQuiet = Math.round((Date.now() - quietFrom) / 1000);
      say('quiet', { seconds: toQuiet, quietInTime });
      const verdict = await checkChaosOutcome(cloud, {
        rebuildEventIds: work.flatMap((s) => (s.kind === 'rebuild' ? [s.eventId] : [])),
        deletedOrdinals: work.flatMap((s) => (s.kind === 'delete' ? s.ordinals : [])),
      });
      const faults = injection.tally();
      await writeFile(join(options.workDir, 'faults.json'), `${JSON.stringify(injection.record(), null, 1)}\n`);
      await writeFile(join(options.workDir, 'worker-runs.json'), `${JSON.stringify(workerRuns(cloud), null, 1)}\n`);
      const checks = { quietInTime, ...verdict.checks };
      return {
        ok: Object.values(checks).every(Boolean),
        seed: options.seed,
        documents: options.documents,
        faultSeconds: options.faultSeconds,
        seconds: { total: Math.round((Date.now() - started) / 1000), toQuiet },
        workload: workloadCounts(outcomes, work),
        faults,
        faultsInjected: injected(faults),
        checks,
        findings: verdict.findings,
      };
    } finally {
      clearInterval(ticker);
      injection.liftAll();
    }
  } finally {
    await cloud.close();
    await proxy?.close();
  }
}
