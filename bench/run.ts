// `npm run bench [-- <name>...]`: runs every bench/*.bench.ts (or those whose file name starts with
// one of the <name>s) one after another, each in its own process. Each prints one JSON line on stdout, passed
// through as it comes; its progress goes to stderr. Then bench/results.md is rewritten (see
// bench/support/resultsFile.ts). Exit code 1 when a benchmark failed: it exited non-zero (its result
// was wrong, or it crashed) or printed no JSON line. A missed goal is reported in the file, not failed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ResultLineSchema, failed, machineFacts, updateResultsFile } from './support/resultsFile';
import type { BenchOutcome } from './support/resultsFile';

const dir = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const resultsPath = join(dir, 'results.md');
const SUFFIX = '.bench.ts';

/** The JSON object on a line, when the line is one that names its benchmark. */
function benchLine(line: string): BenchOutcome['results'][number] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON: a benchmark's stray output, passed through and otherwise ignored.
    return undefined;
  }
  const parsed = ResultLineSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** BENCH_* variables in force: sizes overridden for development show in the results. */
function overrides(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('BENCH_') && entry[1] !== undefined));
}

async function runOne(file: string): Promise<BenchOutcome> {
  const machine = machineFacts();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(dir, file)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const results: BenchOutcome['results'] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    process.stdout.write(`${line}\n`);
    const result = benchLine(line);
    if (result !== undefined) results.push(result);
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return {
    name: file.slice(0, -SUFFIX.length),
    file: relative(root, join(dir, file)),
    exitCode: code ?? (signal === null ? 1 : 128),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    finishedAt: new Date().toISOString().replace(/\.\d+Z$/u, 'Z'),
    overrides: overrides(),
    machine,
    results,
  };
}

async function main(): Promise<number> {
  const only = process.argv.slice(2);
  const all = readdirSync(dir).filter((file) => file.endsWith(SUFFIX)).sort();
  const files = all.filter((file) => only.length === 0 || only.some((prefix) => file.startsWith(prefix)));
  if (files.length === 0) {
    process.stderr.write(`no bench/*${SUFFIX} starts with ${only.map((prefix) => `"${prefix}"`).join(' or ')}; there are: ${all.join(', ')}\n`);
    return 2;
  }
  const outcomes: BenchOutcome[] = [];
  for (const file of files) {
    process.stderr.write(`bench ${file}\n`);
    const outcome = await runOne(file);
    outcomes.push(outcome);
    process.stderr.write(`bench ${file}: ${failed(outcome) ? `FAILED (exit ${outcome.exitCode}${outcome.results.length === 0 ? ', no JSON line' : ''})` : 'correct'} after ${outcome.seconds} s\n`);
  }
  let existing: string | undefined;
  try {
    existing = readFileSync(resultsPath, 'utf8');
  } catch {
    existing = undefined;
  }
  writeFileSync(resultsPath, updateResultsFile(existing, outcomes, all.map((file) => file.slice(0, -SUFFIX.length))));
  const failures = outcomes.filter(failed).map((outcome) => outcome.name);
  process.stderr.write(`${relative(process.cwd(), resultsPath)} written; ${failures.length === 0 ? `all ${outcomes.length} correct` : `FAILED: ${failures.join(', ')}`}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm run bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
