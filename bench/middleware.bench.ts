// Size and import time of the FC middleware stack with zod and the contracts, as a handler
// bundle (the probe handler under tests/ uses exactly that stack). Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../scripts/bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 21;
const LIMITS = { bundleKB: 150, importMs: 25 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'ovs-bench-')), 'index.js');
  const built = await bundle({ name: 'probe', entry: join(root, 'tests/fixtures/probe-handler/index.ts'), outfile });
  const probe = `const t=performance.now();require(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t))`;
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    process.stderr.write(`\rimport run ${i + 1}/${RUNS}`);
    samples.push(Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
  }
  process.stderr.write('\n');
  const sorted = [...samples].sort((a, b) => a - b);
  const bundleKB = Math.round((built.bytes / 1024) * 10) / 10;
  const importMs = { median: round(percentile(sorted, 0.5)), p90: round(percentile(sorted, 0.9)), min: round(sorted[0] ?? 0) };
  const result = {
    bench: 'middleware-bundle',
    bundleBytes: built.bytes,
    bundleKB,
    importMs,
    runs: RUNS,
    node: process.versions.node,
    limits: LIMITS,
    pass: bundleKB < LIMITS.bundleKB && importMs.median < LIMITS.importMs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
