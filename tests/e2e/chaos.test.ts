// The chaos suite, short: the same run as `npm run chaos` (local/chaos) on 1,500 documents with
// 30 seconds of seeded faults on every hop, edits, deletes, inserts and a burst of rebuilds; then
// the pipeline must end equal to Postgres with every run closed and reported once and nothing good
// parked. CHAOS_SEED repeats another seed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChaos } from '../../local/chaos';
import type { ChaosSummary } from '../../local/chaos';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';
import { databaseTarget } from '../helpers/database';

const seed = Number(process.env.CHAOS_SEED ?? 20261217);
let workDir: string;
let distDir: string;
/** Kept when a check fails: its plan.json, faults.json, worker-runs.json and functions.log say where the faults struck. */
let keepWorkDir = false;

// PGlite only: the e2e-postgres project would run the same two minutes again; `npm run chaos --
// --database-url` runs it on a real server.
const skipped = databaseTarget === 'postgres';

beforeAll(async () => {
  if (skipped) return;
  workDir = await mkdtemp(join(tmpdir(), 'chaos-'));
  // Bundles of the code under test, not whatever an earlier `npm run build` left in dist/.
  distDir = join(workDir, 'dist');
  const root = process.cwd();
  await Promise.all([...discoverFunctions(root, distDir), ...discoverWorker(root, distDir)].map((spec) => bundle(spec)));
}, 120_000);

afterAll(async () => {
  if (workDir && !keepWorkDir) await rm(workDir, { recursive: true, force: true });
});

describe.skipIf(skipped)(`the chaos suite, short (seed ${seed})${skipped ? ' (skipped on the e2e-postgres project: PGlite only)' : ''}`, () => {
  it('ends with the index equal to Postgres, every run ended and reported once and nothing good parked, after faults on every hop', async () => {
    // Prepare
    const progress: Readonly<Record<string, unknown>>[] = [];
    const logLines: string[] = [];
    // Act
    const summary: ChaosSummary = await runChaos({
      seed,
      documents: 1500,
      faultSeconds: 30,
      workDir: join(workDir, 'run'),
      distDir,
      quietTimeoutMs: 150_000,
      progress: (event) => progress.push(event),
      log: (line) => logLines.push(line),
    });
    // Assert: every check holds (the findings say what went wrong when one does not)
    const failed = Object.entries(summary.checks).filter(([, ok]) => !ok).map(([name]) => name);
    if (failed.length > 0) {
      keepWorkDir = true;
      await writeFile(join(workDir, 'run', 'functions.log'), `${logLines.join('\n')}\n`);
    }
    expect(failed, JSON.stringify({ workDir: join(workDir, 'run'), findings: summary.findings, faults: summary.faults })).toEqual([]);
    expect(summary.findings).toMatchObject({ embeddingsBehind: 0, index: { missing: 0, stale: 0, orphaned: 0 } });
    // The faults struck: calls, connections and processes on the busy hops, and the rebuild burst asked twice or more
    const struck = (hop: string): number => Object.values(summary.faults[hop] ?? {}).reduce((sum, row) => sum + row.injected, 0);
    for (const hop of ['postgres', 'eventbridge', 'functions', 'cloud-assistant']) expect(struck(hop), `faults that struck ${hop}`).toBeGreaterThan(0);
    expect(summary.workload.rebuildsRequested).toBeGreaterThanOrEqual(2);
    expect(progress.map((event) => event.phase)).toEqual(expect.arrayContaining(['plan', 'loaded', 'lifted', 'quiet']));
  }, 300_000);
});
