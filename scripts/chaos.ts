// `npm run chaos -- [--docs 10000] [--seed S] [--fault-seconds 90] [--report-policy digest|every-run]
//                    [--quiet-minutes 15] [--work-dir .local/chaos] [--database-url <url>]`
// The chaos suite: a sync of the corpus with concurrent edits, deletes, inserts and a burst of
// rebuilds while seeded faults hit every hop (docs/operations.md, "Chaos runs"). Progress goes to
// stderr as JSON lines, the summary to stdout as one JSON line; exits 1 when a check fails. The
// seed is printed first: `--seed` with it repeats the same fault plan and workload.
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freshSeed, runChaos } from '../local/chaos';
import { mainJobDatabaseProblem } from '../local/stack';

const { values: args } = parseArgs({
  options: {
    docs: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    'fault-seconds': { type: 'string', default: '90' },
    'report-policy': { type: 'string', default: 'digest' },
    'quiet-minutes': { type: 'string', default: '15' },
    'work-dir': { type: 'string', default: join('.local', 'chaos') },
    'database-url': { type: 'string' },
  },
});

/** A whole number option within bounds, or the reason it is not one. */
function whole(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${value}`);
  return n;
}

async function main(): Promise<number> {
  const seed = args.seed === undefined ? freshSeed() : whole('seed', args.seed, 0, 0xffffffff);
  const documents = whole('docs', args.docs, 100, 1_000_000);
  const faultSeconds = whole('fault-seconds', args['fault-seconds'], 10, 3_600);
  const quietMinutes = whole('quiet-minutes', args['quiet-minutes'], 1, 240);
  const policy = args['report-policy'];
  if (policy !== 'digest' && policy !== 'every-run') throw new Error(`--report-policy must be digest or every-run, not ${policy}`);
  const progress = (event: Readonly<Record<string, unknown>>): void => void process.stderr.write(`${JSON.stringify(event)}\n`);
  progress({ phase: 'start', seed, documents, faultSeconds, reportPolicy: policy, repeat: `npm run chaos -- --seed ${seed} --docs ${documents} --fault-seconds ${faultSeconds}` });
  const databaseUrl = args['database-url'];
  if (databaseUrl !== undefined) {
    const problem = await mainJobDatabaseProblem(databaseUrl);
    if (problem !== undefined) {
      process.stderr.write(`npm run chaos: ${problem}\n`);
      return 2;
    }
  }
  const workDir = args['work-dir'];
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const log = createWriteStream(join(workDir, 'functions.log'), { flags: 'a' });
  try {
    const summary = await runChaos({
      seed,
      documents,
      faultSeconds,
      workDir,
      quietTimeoutMs: quietMinutes * 60_000,
      reportPolicy: policy,
      progress,
      log: (line) => void log.write(`${line}\n`),
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    await writeFile(join(workDir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
    const failed = Object.entries(summary.checks).filter(([, ok]) => !ok).map(([name]) => name);
    progress({ phase: 'done', seed, ok: summary.ok, ...(failed.length > 0 ? { failed, logs: join(workDir, 'functions.log') } : {}) });
    return summary.ok ? 0 : 1;
  } finally {
    log.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run chaos failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
