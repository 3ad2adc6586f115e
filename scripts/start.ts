// `npm start`: the main job on the local cloud. Boots everything, loads the sample corpus, lets the
// scheduler, edge functions, bus, handlers and worker run, runs a final verify, prints a summary
// and exits 0 only when the index equals Postgres. `--keep` then serves the dashboard until Ctrl-C.
// `--database-url <url>` runs it on that Postgres (with pgvector and pgmq) instead of PGlite; a
// database that holds an earlier run's rows is refused (local/stack/checkDatabase.ts).
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus, sampleDocuments } from '../local/corpus';
import { startDashboard } from '../local/dashboard';
import { StackDefaults, isQuiet, mailCounts, mainJobDatabaseProblem, mainJobSummary, pipelineSnapshot, requestDigest, requestRun, startLocalCloud, waitFor, waitForRun, withoutCredentials } from '../local/stack';
import { Ledger } from '../shared/ledger';
import { digestWindowAt } from '../shared/report';
import type { LocalCloud, PipelineSnapshot } from '../local/stack';

const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    docs: { type: 'string', default: '3000' },
    'work-dir': { type: 'string', default: join('.local', 'start') },
    'timeout-minutes': { type: 'string', default: '15' },
    'database-url': { type: 'string' },
  },
});
const docCount = Number(args.docs);
const timeoutMs = Number(args['timeout-minutes']) * 60_000;
const workDir = args['work-dir'];
const started = performance.now();

function elapsed(): string {
  return `${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s`;
}

function seconds(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)} s`;
}

function say(line: string): void {
  process.stdout.write(`[${elapsed()}] ${line}\n`);
}

function describe(s: PipelineSnapshot, emails: number, events: number): string {
  return [
    `embedded ${s.embedded}/${s.documents}`,
    `queues jobs=${s.embeddingQueue} sync=${s.syncQueue}`,
    `events ${events}`,
    `runs ${s.runs.completed + s.runs.failed} done, ${s.runs.open} open`,
    `chunks ${s.chunks.succeeded} ok, ${s.chunks.failed} failed, ${s.chunks.open} open`,
    `vectors ${s.vectors}`,
    `e-mails ${emails}`,
    ...(s.deadLetters + s.parkedEvents > 0 ? [`dead letters ${s.deadLetters}, parked ${s.parkedEvents}`] : []),
  ].join(' · ');
}

async function progressProbe(cloud: LocalCloud): Promise<{ snapshot: PipelineSnapshot; busInFlight: number; line: string }> {
  // Counted before and after: an event delivered while the snapshot is read still counts.
  const before = cloud.eventBridge.inFlight();
  const snapshot = await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex);
  const busInFlight = Math.max(before, cloud.eventBridge.inFlight());
  const emails = (await cloud.resend.outbox.list()).length;
  return { snapshot, busInFlight, line: describe(snapshot, emails, cloud.eventBridge.deliveries.length) };
}

async function main(): Promise<number> {
  const databaseUrl = args['database-url'];
  if (databaseUrl !== undefined) {
    // Checked before anything starts, so a refusal leaves the work dir and the database as they were.
    const problem = await mainJobDatabaseProblem(databaseUrl);
    if (problem !== undefined) {
      process.stderr.write(`npm start: ${problem}\n`);
      return 2;
    }
  }
  await rm(workDir, { recursive: true, force: true });
  const logFile = join(workDir, 'functions.log');
  say(`booting the local cloud in ${workDir} (logs of functions, edge functions and scheduler: ${logFile})`);
  await mkdir(workDir, { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const toLog = (line: string): void => {
    log.write(`${line}\n`);
  };
  const cloud = await startLocalCloud({ workDir, onFunctionOutput: toLog, onServiceLog: toLog, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
  let keepAlive = false;
  try {
    say(`up: Postgres ${withoutCredentials(cloud.supabase.dbUrl)} (${cloud.supabase.postgres.kind === 'pglite' ? 'PGlite' : 'the given database'}), EventBridge ${cloud.eventBridge.endpoint}, Cloud Assistant ${cloud.cloudAssistant.endpoint} (${StackDefaults.instances.length} instances), OSS ${cloud.oss.endpoint}, OSS Vectors ${cloud.ossVectors.endpoint}, Resend ${cloud.resend.baseUrl}`);
    say(`routing deployed: ${cloud.routing.length} change(s); worker uploaded; index ${StackDefaults.logicalIndex} (${StackDefaults.firstGeneration}) created`);
    let lastLine = '';
    const loaded = await loadCorpus(cloud.sql, sampleDocuments(docCount), {
      onProgress: (count: number) => say(`loaded ${count}/${docCount} documents`),
    });
    say(`sample corpus loaded: ${loaded} documents; waiting for embed → publish → validate → chunk → dispatch → worker → collect-stats → notify`);
    await waitFor(() => progressProbe(cloud), (p) => p.snapshot.documents > 0 && isQuiet(p.snapshot, p.busInFlight), {
      timeoutMs,
      intervalMs: 1000,
      what: 'the pipeline to drain',
      onTick: (p) => {
        if (p.line !== lastLine) say(p.line);
        lastLine = p.line;
      },
    });
    const operator = { endpoint: `http://${cloud.eventBridge.endpoint}`, busName: StackDefaults.busName, region: cloud.eventBridge.region, keys: cloud.keys.operator };
    // The change-driven runs are held for the digest of their window (REPORT_DIGEST_MINUTES), which
    // ends after this job does: ask for it now, as an operator would, so it shows what it will say.
    const held = await cloud.sql<{ window_start: Date }[]>`select distinct digest_window_start as window_start from vector_sync.runs where report_disposition = 'digest' order by 1`;
    const windowStart = held.at(-1)?.window_start ?? digestWindowAt(new Date(), Number(cloud.settings.REPORT_DIGEST_MINUTES)).start;
    if (held.length > 0) {
      const digestsBefore = mailCounts(await cloud.resend.outbox.list()).digests;
      say(`pipeline drained; ${held.length === 1 ? 'its runs are' : 'the runs are'} held for the digest of the window from ${windowStart.toISOString()}: asking for it now`);
      await requestDigest(operator, { index: StackDefaults.logicalIndex, windowStart: windowStart.toISOString(), requestedBy: 'npm start' });
      await waitFor(async () => mailCounts(await cloud.resend.outbox.list()).digests, (digests) => digests > digestsBefore, { timeoutMs, intervalMs: 500, what: 'the digest e-mail' });
    }
    say('running the final verify');
    const verifyEvent = await requestRun(operator, { op: 'verify', index: StackDefaults.logicalIndex, heal: true, requestedBy: 'npm start' });
    const verify = await waitForRun(cloud.sql, verifyEvent, { timeoutMs });
    const summary = await mainJobSummary(cloud.sql, verify.run_id, StackDefaults.logicalIndex);
    const [reportRow] = await cloud.sql<{ report_message_id: string | null }[]>`select report_message_id from vector_sync.runs where run_id = ${verify.run_id}`;
    const reportPath = reportRow?.report_message_id ? join(cloud.resend.outboxPath, `${reportRow.report_message_id}.html`) : '(none)';
    const driftTotal = summary.drift.missing + summary.drift.stale + summary.drift.orphaned;
    const green = verify.state === 'completed' && driftTotal === 0 && summary.failedRuns === 0 && summary.indexVectors === summary.embeddings - summary.rejected;
    const mail = mailCounts(await cloud.resend.outbox.list());
    const runCommands = cloud.cloudAssistant.runner.list().length;
    // Coverage and lag over the job, as the reports show them (vector_sync.index_health).
    const health = await new Ledger(cloud.sql).indexHealth(StackDefaults.logicalIndex, { since: new Date(Date.now() - (performance.now() - started) - 60_000), until: new Date() });
    const result = {
      ok: green,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      documents: loaded,
      ...summary,
      runCommands,
      emails: { total: mail.total, runReports: mail.runReports, digests: mail.digests },
      coverage: { vectors: health.coverage.vectors, embeddings: health.coverage.embeddings, withoutEmbedding: health.coverage.withoutEmbedding, ratio: health.coverage.ratio },
      lagSeconds: { p50: health.lag.p50Seconds, p95: health.lag.p95Seconds, changes: health.lag.count },
      verifyRun: verify.run_id,
      report: relative(process.cwd(), reportPath),
      outbox: relative(process.cwd(), cloud.resend.outboxPath),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    say(green
      ? `GREEN: the index holds ${summary.indexVectors} vectors, equal to Postgres (${summary.embeddings} embeddings); ${summary.runs} runs, ${runCommands} RunCommands, ${mail.total} e-mails (${mail.runReports} run reports, ${mail.digests} digests); coverage ${health.coverage.vectors}/${health.coverage.embeddings}; lag p50 ${seconds(health.lag.p50Seconds)}, p95 ${seconds(health.lag.p95Seconds)}; worker ${summary.workerVectorsPerSecond} vectors/s; report ${result.report}`
      : `RED: verify ${verify.state}, drift ${JSON.stringify(summary.drift)}, failed runs ${summary.failedRuns}, index ${summary.indexVectors} vs ${summary.embeddings} embeddings; see ${logFile}`);
    if (!green) {
      // Diagnose the red run here, before the stack (and its in-memory database) goes away.
      const failedChunks = await cloud.sql`select run_id, chunk_no, attempts, error from vector_sync.chunks where state = 'failed' order by finished_at limit 5`;
      for (const chunk of failedChunks) say(`failed chunk ${String(chunk.run_id)}/${String(chunk.chunk_no)} after ${String(chunk.attempts)} attempt(s): ${String(chunk.error)}`);
      const failedRun = cloud.cloudAssistant.runner.list().flatMap((record) => record.runs).find((run) => run.exitCode !== 0);
      if (failedRun) say(`output of a failed worker run (exit ${String(failedRun.exitCode)}):\n${Buffer.from(failedRun.output).toString("utf8").replace(/[^\n]{400,}/gu, "<long line>").slice(-3000)}`);
    }
    if (args.keep) {
      keepAlive = true;
      const dashboard = await startDashboard({ sql: cloud.sql, outbox: cloud.resend.outbox, extra: () => ({ eventBridgeDeadLetters: cloud.eventBridge.deadLetters.length }) });
      await writeFile(join('.local', 'stack.json'), `${JSON.stringify({ settings: cloud.settings, region: cloud.eventBridge.region, accountId: cloud.eventBridge.accountId, functionRole: cloud.keys.functionRole, pid: process.pid }, null, 2)}\n`, { mode: 0o600 });
      say(`dashboard: ${dashboard.url}  (npm run invoke -- <function> --event-file events/<x>.json talks to this stack; Ctrl-C stops)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await dashboard.close();
      await rm(join('.local', 'stack.json'), { force: true });
    }
    return green ? 0 : 1;
  } finally {
    if (!keepAlive) say('stopping the local cloud');
    await cloud.close();
    log.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
