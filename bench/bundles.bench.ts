// What FC loads on a cold start: every function bundle as `npm run build` makes it (minified, no
// sourcemap), its size, and its cold load as a fresh node process that requires it and checks it
// exports `handler`, timed from spawn to exit. Bare `node -e ''` runs in the same loop, one before
// each bundle, so noise on a shared machine hits both sides; a bundle's load is reported against
// the median bare process. The ECS worker's size is reported too (it is not an FC function).
// Prints one JSON line. Exit code: non-zero only when the result is wrong (a bundle fails to
// build, to load or to export `handler`); a missed goal is reported with `pass: false`, not as an
// exit failure, so `npm run bench` goes on to the next benchmark.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundle, discoverFunctions, discoverWorker } from '../scripts/bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Rounds of the loop; each round starts one bare process per bundle and one process per bundle. */
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 7);
/** Goals of issue 14: each FC bundle under 1 MB (10^6 bytes, raw as shipped) and within 150 ms of bare node. */
const GOALS = { maxBytes: 1_000_000, maxLoadOverBareMs: 150 } as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Wall time of one fresh node process running `script`, in ms; throws when it fails. */
function timeProcess(script: string, what: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-e', script], { cwd: tmpdir(), encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.error !== undefined || run.status !== 0) throw new Error(`${what} failed (exit ${run.status}): ${run.error?.message ?? run.stderr.trim()}`);
  return elapsed;
}

/** The probe: require the bundle and fail unless it exports the FC entry point. */
function loadScript(file: string): string {
  return `if (typeof require(${JSON.stringify(file)}).handler !== 'function') { process.stderr.write('no handler export'); process.exit(3); }`;
}

async function main(): Promise<void> {
  if (!Number.isInteger(RUNS) || RUNS < 5) throw new Error(`BENCH_BUNDLE_RUNS must be a whole number >= 5 (got ${process.env.BENCH_BUNDLE_RUNS})`);
  const outDir = mkdtempSync(join(tmpdir(), 'ovs-bundles-'));
  try {
    const functions = await Promise.all(discoverFunctions(root, outDir).map((spec) => bundle(spec)));
    const [worker] = await Promise.all(discoverWorker(root, outDir).map((spec) => bundle(spec)));
    if (functions.length === 0) throw new Error('no functions/*/index.ts to bundle');
    const bare: number[] = [];
    const loads = new Map<string, number[]>(functions.map((fn) => [fn.name, []]));
    for (let round = 0; round < RUNS; round += 1) {
      // Rotate the order each round so no bundle always runs right after the build or another bundle.
      for (let i = 0; i < functions.length; i += 1) {
        const fn = functions[(i + round) % functions.length];
        if (fn === undefined) continue;
        process.stderr.write(`\rround ${round + 1}/${RUNS} ${fn.name.padEnd(16)}`);
        bare.push(timeProcess('', 'bare node'));
        loads.get(fn.name)?.push(timeProcess(loadScript(fn.outfile), `loading ${fn.name}`));
      }
    }
    process.stderr.write('\n');
    const bareMs = median(bare);
    const bundles = Object.fromEntries(
      functions.map((fn) => {
        const loadMs = median(loads.get(fn.name) ?? []);
        const loadOverBareMs = round(loadMs - bareMs);
        const gzipBytes = gzipSync(readFileSync(fn.outfile)).length;
        const pass = fn.bytes < GOALS.maxBytes && loadOverBareMs <= GOALS.maxLoadOverBareMs;
        return [fn.name, { bytes: fn.bytes, kb: round(fn.bytes / 1024), gzipKB: round(gzipBytes / 1024), loadMs: round(loadMs), loadOverBareMs, pass }];
      }),
    );
    const entries = Object.values(bundles);
    const result = {
      bench: 'bundles',
      bareNodeMs: round(bareMs),
      bundles,
      largestBytes: Math.max(...entries.map((entry) => entry.bytes)),
      slowestLoadOverBareMs: Math.max(...entries.map((entry) => entry.loadOverBareMs)),
      ...(worker ? { workerKB: round(worker.bytes / 1024) } : {}),
      size: 'raw bytes of the minified bundle FC loads (no sourcemap)',
      runs: RUNS,
      node: process.versions.node,
      goals: GOALS,
      pass: entries.every((entry) => entry.pass),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
