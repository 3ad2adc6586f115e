// What `s deploy` uploads: the size (raw and gzipped, as in the code zip) of every function bundle
// and the worker, and each function bundle's cold load time (a fresh node process requiring it, the
// part of an FC cold start the code controls). Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundle, discoverFunctions, discoverWorker } from '../scripts/bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;
/** Goals: a function's zip stays under 1 MB gzipped and loads in under 400 ms cold. */
const LIMITS = { functionGzipKB: 1024, loadMs: 400 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function kb(bytes: number): number {
  return Math.round((bytes / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'ovs-bundles-'));
  const specs = [...discoverFunctions(root, outDir), ...discoverWorker(root, outDir)];
  const built = await Promise.all(specs.map((spec) => bundle(spec)));
  const functions: Record<string, { kb: number; gzipKB: number; loadMs?: number }> = {};
  for (const [i, result] of built.entries()) {
    process.stderr.write(`\r${result.name} (${i + 1}/${built.length})      `);
    const gzipKB = kb(gzipSync(readFileSync(result.outfile)).length);
    const entry: { kb: number; gzipKB: number; loadMs?: number } = { kb: kb(result.bytes), gzipKB };
    if (result.outfile.includes(`${join('functions', result.name)}`)) {
      const probe = `const t=performance.now();require(${JSON.stringify(result.outfile)});process.stdout.write(String(performance.now()-t))`;
      const samples = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })));
      entry.loadMs = Math.round(median(samples) * 10) / 10;
    }
    functions[result.name] = entry;
  }
  process.stderr.write('\n');
  const handlers = Object.entries(functions).filter(([, entry]) => entry.loadMs !== undefined);
  const result = {
    bench: 'bundles',
    bundles: functions,
    largestFunctionGzipKB: Math.max(...handlers.map(([, entry]) => entry.gzipKB)),
    slowestLoadMs: Math.max(...handlers.map(([, entry]) => entry.loadMs ?? 0)),
    runs: RUNS,
    node: process.versions.node,
    limits: LIMITS,
    pass: handlers.every(([, entry]) => entry.gzipKB < LIMITS.functionGzipKB && (entry.loadMs ?? 0) < LIMITS.loadMs),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
