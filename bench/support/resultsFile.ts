// bench/results.md as `npm run bench` keeps it: a generated block between two markers, rebuilt on
// every run from each benchmark's latest outcome (a filtered run replaces only the outcomes of the
// benchmarks it ran; the others are read back from the comments the block stores them in), and
// hand-written text around it, kept as it is.
import { cpus, loadavg, totalmem } from 'node:os';
import * as z from 'zod';
import { goalRows, renderResult, stated, verdict } from './resultsMarkdown';

const START = '<!-- bench:generated:start -->';
const END = '<!-- bench:generated:end -->';
const OUTCOME = /<!-- bench:outcome (.*?) -->/gu;

const MachineFactsSchema = z.object({
  cpus: z.number(),
  cpuModel: z.string(),
  node: z.string(),
  memoryGB: z.number(),
  loadAverage: z.array(z.number()),
});
/** The machine a benchmark ran on, as it was when it started. */
export type MachineFacts = z.infer<typeof MachineFactsSchema>;

/** A JSON line a benchmark prints: an object that names its benchmark in `bench`. */
export const ResultLineSchema = z.record(z.string(), z.json()).refine((line) => typeof line.bench === 'string', { message: 'names no benchmark in "bench"' });

const BenchOutcomeSchema = z.object({
  /** The benchmark's name: its file name without `.bench.ts`. */
  name: z.string(),
  file: z.string(),
  exitCode: z.number().int(),
  seconds: z.number(),
  finishedAt: z.string(),
  /** BENCH_* variables set for the run (sizes overridden for development). */
  overrides: z.record(z.string(), z.string()),
  machine: MachineFactsSchema,
  results: z.array(ResultLineSchema),
});
/** One benchmark file's run: how it ended and the JSON lines it printed. */
export type BenchOutcome = z.infer<typeof BenchOutcomeSchema>;

/** CPU count and model, node version, memory and load average now. */
export function machineFacts(): MachineFacts {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    node: process.version,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** A benchmark's verdict: it failed (non-zero exit, or no JSON line), or it was correct. */
export function failed(outcome: BenchOutcome): boolean {
  return outcome.exitCode !== 0 || outcome.results.length === 0;
}

/** The outcomes stored in a generated block, by name; an unreadable one is dropped (its benchmark runs again). */
function storedOutcomes(block: string): Map<string, BenchOutcome> {
  const found = new Map<string, BenchOutcome>();
  for (const match of block.matchAll(OUTCOME)) {
    try {
      const parsed = BenchOutcomeSchema.safeParse(JSON.parse(match[1] ?? ''));
      if (parsed.success) found.set(parsed.data.name, parsed.data);
    } catch {
      // Not JSON: a hand edit inside the block; the outcome is simply not kept.
    }
  }
  return found;
}

function minutes(seconds: number): string {
  return seconds < 120 ? `${Math.round(seconds)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** "goals met: 1 of 2" from per-goal verdicts, and each result's own `pass` as it printed it. */
function verdicts(outcome: BenchOutcome): string[] {
  const goals = outcome.results.flatMap((result) => goalRows(result));
  const passes = outcome.results.flatMap((result) => (typeof result.pass === 'boolean' ? [`its \`pass\`: ${String(result.pass)}`] : []));
  return [...(goals.length > 0 ? [`goals met: ${goals.filter((goal) => goal.met).length} of ${goals.length}`] : []), ...passes];
}

function section(outcome: BenchOutcome): string {
  const { machine } = outcome;
  const overrides = Object.entries(outcome.overrides).map(([key, value]) => `${key}=${value}`);
  const status = failed(outcome)
    ? `**FAILED** (exit ${outcome.exitCode}${outcome.results.length === 0 ? ', no JSON line' : ''}): its result is wrong or it did not finish; its figures do not count`
    : ['correct (exit 0)', ...verdicts(outcome)].join(' · ');
  const errors = outcome.results.flatMap((result) => (typeof result.error === 'string' ? [`Error: ${result.error}`] : []));
  // The JSON in a comment: `--` cannot occur outside a JSON string, and inside one \u002d reads back as '-'.
  const stored = JSON.stringify(outcome).replace(/--/gu, '-\\u002d');
  return [
    `### ${outcome.name}`,
    '',
    `\`${outcome.file}\` · finished ${outcome.finishedAt} after ${minutes(outcome.seconds)} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, load ${machine.loadAverage.join(' ')} at start · node ${machine.node}${overrides.length > 0 ? ` · sizes overridden: ${overrides.join(' ')}` : ''}`,
    '',
    `Result: ${status}.`,
    ...errors.flatMap((line) => ['', line]),
    ...outcome.results.flatMap((result) => ['', renderResult(result)]),
    '',
    `<!-- bench:outcome ${stored} -->`,
  ].join('\n');
}

/**
 * A result's own verdict on goals it states without one per goal (thresholds in `goals` or
 * `limits`): its `meetsGoal`, else its `pass`; undefined when it states none.
 */
function overallVerdict(result: BenchOutcome['results'][number]): boolean | undefined {
  if (typeof result.meetsGoal === 'boolean') return result.meetsGoal;
  return typeof result.pass === 'boolean' && (stated(result.goals) || stated(result.limits)) ? result.pass : undefined;
}

/** Every goal of every benchmark in one table, with the failed benchmarks named. */
function summary(outcomes: readonly BenchOutcome[]): string {
  const rows = outcomes.flatMap((outcome) => {
    if (failed(outcome)) return [`| ${outcome.name} | - | - | - | **benchmark failed** (exit ${outcome.exitCode}) |`];
    return outcome.results.flatMap((result) => {
      const goals = goalRows(result);
      if (goals.length > 0) return goals.map((goal) => `| ${outcome.name} | ${goal.goal} | ${goal.target} | ${goal.actual} | ${verdict(goal)} |`);
      const met = overallVerdict(result);
      return [met === undefined ? `| ${outcome.name} | none stated (figures only) | - | - | - |` : `| ${outcome.name} | as stated in its section | - | - | ${met ? 'met' : '**missed**'} |`];
    });
  });
  return ['| benchmark | goal | target | actual | verdict |', '|---|---|---|---|---|', ...rows].join('\n');
}

function generated(outcomes: readonly BenchOutcome[]): string {
  return [
    START,
    '<!-- Written by `npm run bench` (bench/run.ts) from the outcomes stored below: edits inside this block are lost. -->',
    '',
    '**Every figure is one run on a noisy machine** (other work ran beside it: see the load average of each benchmark), so differences of a few percent between runs mean nothing.',
    '',
    '## Goals',
    '',
    summary(outcomes),
    '',
    '## Benchmarks',
    ...outcomes.flatMap((outcome) => ['', section(outcome)]),
    END,
  ].join('\n');
}

const HEAD = `# Benchmark results

\`npm run bench\` runs every \`bench/*.bench.ts\` and rewrites the block between the \`bench:generated\`
markers below; \`npm run bench -- <name>...\` runs the benchmarks whose file name starts with a
\`<name>\` and rewrites only their sections. Everything outside the block is written by hand and kept.

`;

const TAIL = `

## Goals missed and why

<!-- Hand-written after a full run on a quiet machine; npm run bench keeps this section as it is. -->
_To be written after a full run: for each goal the table above shows as missed, by how much, why,
and what would close the gap._
`;

/**
 * The new text of the results file: the hand-written parts of `existing` (or a skeleton when there is
 * none) around a block rebuilt from the stored outcomes of `names` with the `fresh` ones replacing
 * theirs. Benchmarks no longer in `names` (their file is gone) drop out.
 */
export function updateResultsFile(existing: string | undefined, fresh: readonly BenchOutcome[], names: readonly string[]): string {
  const start = existing?.indexOf(START) ?? -1;
  const end = existing?.indexOf(END) ?? -1;
  let before = HEAD;
  let after = TAIL;
  let stored = new Map<string, BenchOutcome>();
  if (existing !== undefined && start >= 0 && end > start) {
    before = existing.slice(0, start);
    after = existing.slice(end + END.length);
    stored = storedOutcomes(existing.slice(start, end));
  } else if (existing !== undefined && existing.trim() !== '') {
    before = `${existing.trimEnd()}\n\n`;
    after = existing.includes('## Goals missed and why') ? '\n' : TAIL;
  }
  for (const outcome of fresh) stored.set(outcome.name, outcome);
  const outcomes = names.flatMap((name) => {
    const outcome = stored.get(name);
    return outcome === undefined ? [] : [outcome];
  });
  return `${before}${generated(outcomes)}${after}`;
}
