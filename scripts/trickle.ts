// `npm run trickle -- [--minutes 10] [--every-seconds 2] [--docs 300] [--digest-minutes 2]`
// The steady-trickle workload on the local cloud: boots the stack, loads a small corpus and lets it
// drain, then edits one document every few seconds for the given minutes, waits until the last
// digest window has ended and gone out, and checks that every edit reached the index and that no
// window got more than one digest. Prints progress lines on stderr and one JSON line on stdout
// (runs, RunCommands and e-mails during the trickle, and per hour); exits 1 when a check fails.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadCorpus, sampleDocuments } from '../local/corpus';
import { StackDefaults, isQuiet, mailCounts, pipelineSnapshot, startLocalCloud, waitFor } from '../local/stack';
import type { LocalCloud } from '../local/stack';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'every-seconds': { type: 'string', default: '2' },
    docs: { type: 'string', default: '300' },
    'digest-minutes': { type: 'string', default: '2' },
    'work-dir': { type: 'string', default: join('.local', 'trickle') },
  },
});
const minutes = Number(args.minutes);
const everyMs = Number(args['every-seconds']) * 1000;
const docCount = Number(args.docs);
const digestMinutes = Number(args['digest-minutes']);
const workDir = args['work-dir'];
const started = performance.now();

function say(line: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

/** Runs, RunCommands and e-mails so far. */
async function tally(cloud: LocalCloud): Promise<{ runs: number; runCommands: number; emails: ReturnType<typeof mailCounts> }> {
  const [row] = await cloud.sql<{ runs: number }[]>`select count(*)::int as runs from vector_sync.runs`;
  return { runs: row?.runs ?? 0, runCommands: cloud.cloudAssistant.runner.list().length, emails: mailCounts(await cloud.resend.outbox.list()) };
}

async function drained(cloud: LocalCloud, what: string): Promise<void> {
  await waitFor(
    async () => {
      const before = cloud.eventBridge.inFlight();
      const snapshot = await pipelineSnapshot(cloud.sql, StackDefaults.logicalIndex);
      return { snapshot, busInFlight: Math.max(before, cloud.eventBridge.inFlight()) };
    },
    (p) => p.snapshot.documents > 0 && isQuiet(p.snapshot, p.busInFlight),
    { timeoutMs: 10 * 60_000, intervalMs: 1000, what },
  );
}

async function main(): Promise<number> {
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const log = createWriteStream(join(workDir, 'functions.log'), { flags: 'a' });
  const toLog = (line: string): void => {
    log.write(`${line}\n`);
  };
  const cloud = await startLocalCloud({ workDir, onFunctionOutput: toLog, onServiceLog: toLog, settings: { REPORT_DIGEST_MINUTES: String(digestMinutes) } });
  try {
    await loadCorpus(cloud.sql, sampleDocuments(docCount));
    await drained(cloud, 'the corpus to be indexed');
    // The corpus's runs are held for the digest of their window: let it go out first, so every
    // e-mail counted below belongs to the trickle.
    say('corpus indexed; waiting for its digest window to end and its digest to go out');
    await waitFor(
      () => cloud.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.digests where state <> 'sent'`,
      (rows) => rows[0]?.n === 0,
      { timeoutMs: digestMinutes * 60_000 + 3 * 60_000, intervalMs: 2000, what: "the corpus's digest" },
    );
    const ids = (await cloud.sql<{ id: string }[]>`select id::text as id from public.source_documents order by id`).map((row) => row.id);
    const before = await tally(cloud);
    say(`corpus of ${ids.length} documents indexed (${before.runs} runs, ${before.emails.total} e-mails); trickling one edit every ${everyMs / 1000} s for ${minutes} min, digest window ${digestMinutes} min`);
    const edited = new Set<string>();
    const end = Date.now() + minutes * 60_000;
    let edits = 0;
    let nextProgress = Date.now() + 30_000;
    for (let next = Date.now(); next < end; next += everyMs) {
      await sleep(Math.max(0, next - Date.now()));
      const id = ids[edits % ids.length] as string;
      await cloud.sql`update public.source_documents set content = content || ${` (edit ${edits + 1})`} where id = ${id}::uuid`;
      edited.add(id);
      edits += 1;
      if (Date.now() >= nextProgress) {
        const now = await tally(cloud);
        say(`${edits} edits · ${now.runs - before.runs} runs · ${now.runCommands - before.runCommands} RunCommands · ${now.emails.total - before.emails.total} e-mails (${now.emails.digests - before.emails.digests} digests)`);
        nextProgress += 30_000;
      }
    }
    say(`${edits} edits done; waiting for the pipeline to drain and the last digest window to end`);
    await drained(cloud, 'the last edits to be indexed');
    const windowMs = digestMinutes * 60_000;
    const lastWindowEnd = Math.ceil(Date.now() / windowMs) * windowMs;
    const after = await waitFor(
      () => tally(cloud),
      () => Date.now() > lastWindowEnd + 90_000,
      { timeoutMs: windowMs + 3 * 60_000, intervalMs: 5000, what: 'the last digest window to end and its digest to go out' },
    );
    // Every edit is in the sidecar and the index holds the sidecar's hash for it.
    const stale = await cloud.sql<{ id: string }[]>`
      select d.id::text as id
      from public.source_documents as d
      left join public.document_embeddings as e on e.document_id = d.id
      left join vector_sync.index_state as s on s.document_id = d.id::text
        and s.index_name = (select index_name from vector_sync.active_index(${StackDefaults.logicalIndex}))
      where d.id = any(${[...edited]}::uuid[])
        and (e.content_hash is distinct from encode(sha256(convert_to(d.content, 'UTF8')), 'hex')
          or s.content_hash is distinct from e.content_hash)`;
    const trickleRuns = after.runs - before.runs;
    const runCommands = after.runCommands - before.runCommands;
    const digests = after.emails.digests - before.emails.digests;
    const runReports = after.emails.runReports - before.emails.runReports;
    const worstWindow = Math.max(0, ...after.emails.digestsPerWindow.values());
    const windows = Math.ceil(minutes / digestMinutes) + 1;
    const perHour = (n: number): number => Math.round((n * 60) / minutes);
    const checks = {
      everyEditIndexed: stale.length === 0,
      atMostOneDigestPerWindow: worstWindow <= 1,
      noRunReportsForChanges: runReports === 0,
      emailsWithinWindows: digests + runReports <= windows,
    };
    const ok = Object.values(checks).every(Boolean);
    const result = {
      ok,
      checks,
      minutes,
      editEverySeconds: everyMs / 1000,
      digestMinutes,
      edits,
      editedDocuments: edited.size,
      notIndexed: stale.slice(0, 10).map((row) => row.id),
      runs: trickleRuns,
      runCommands,
      emails: { digests, runReports, total: after.emails.total - before.emails.total },
      perHour: { runs: perHour(trickleRuns), runCommands: perHour(runCommands), emails: perHour(digests + runReports) },
      digestWindows: after.emails.digestsPerWindow.size,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    say(ok ? 'OK' : `FAILED: ${JSON.stringify(checks)}`);
    return ok ? 0 : 1;
  } finally {
    await cloud.close();
    log.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`trickle failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
