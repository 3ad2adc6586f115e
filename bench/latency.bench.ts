// Change-to-searchable latency of single edits with the default schedules: a fresh local cloud is
// seeded with 1,000 documents whose embeddings are committed, drained, then 30 documents are edited
// one every 3 s (BENCH_LATENCY_DOCS, BENCH_EDITS, BENCH_EDIT_EVERY_SECONDS), each edit one commit of
// the document and its new embedding, as in `npm run trickle`. Every edit is looked for with
// QueryVectors (its own new vector, top 1, the new content hash in the metadata) until it is found;
// the ledger's timestamps split that time by stage: commit → claimed into a change batch →
// run opened by validate → chunk dispatched → worker started → written (index_state) → searchable.
// p50, p95 and max per stage and in total. Correct first: every edit must become searchable and an
// independent scan must find the index equal to the sidecar table, or `pass` is false and the exit
// code 1. One JSON line on stdout; progress on stderr.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import { StackDefaults, waitFor } from '../local/stack';
import type { LocalCloud } from '../local/stack';
import { OssVectorsClient } from '../shared/clients/oss-vectors';
import { bootBenchCloud, diagnose, editDocument, indexDifference, say, seedCommittedEmbeddings, sizeFromEnv } from './support/e2eCloud';
import type { Edit } from './support/e2eCloud';
import { round, spread } from './support/e2eFigures';
import { editTrails, indexedEmbeddings } from './support/e2eLedger';
import type { EditTrail } from './support/e2eLedger';

const DOCS = sizeFromEnv('BENCH_LATENCY_DOCS', 1_000);
const EDITS = sizeFromEnv('BENCH_EDITS', 30);
const EVERY_MS = sizeFromEnv('BENCH_EDIT_EVERY_SECONDS', 3) * 1000;
/** An edit not searchable after this long counts as lost. */
const EDIT_TIMEOUT_MS = sizeFromEnv('BENCH_EDIT_TIMEOUT_SECONDS', 300) * 1000;
/** How often each pending edit is looked for: the resolution of the last stage. */
const POLL_MS = 100;

/** The stages, each from the previous timestamp (the first from the commit) to its own. */
const STAGES = [
  ['commitToClaimed', 'claimed'],
  ['claimedToRunOpened', 'runOpened'],
  ['runOpenedToChunkDispatched', 'chunkDispatched'],
  ['dispatchedToWorkerStarted', 'workerStarted'],
  ['workerStartedToWritten', 'written'],
  ['writtenToSearchable', 'searchable'],
] as const;

async function activeIndex(sql: Sql): Promise<string> {
  const [row] = await sql<{ index_name: string | null }[]>`select index_name from vector_sync.active_index(${StackDefaults.logicalIndex})`;
  if (!row?.index_name) throw new Error(`index ${StackDefaults.logicalIndex} has no active generation`);
  return row.index_name;
}

/** True when QueryVectors finds the edit's new vector as its top hit, with the edit's content hash. */
async function searchable(client: OssVectorsClient, indexName: string, edit: Edit): Promise<boolean> {
  const [top] = await client.queryVectors({ bucket: StackDefaults.vectorBucket, indexName, queryVector: edit.vector, topK: 1, returnDistance: false, returnMetadata: true });
  return top?.key === edit.id && top.metadata?.content_hash === edit.hash;
}

/** Applies the edits on their schedule while looking for each one until it is searchable; answers when each was found. */
async function editAndWatch(cloud: LocalCloud, ids: readonly string[]): Promise<{ edits: Edit[]; foundAt: Map<string, number>; lost: string[] }> {
  const client = new OssVectorsClient({ region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, credentials: cloud.keys.worker, endpoint: cloud.ossVectors.endpoint });
  const indexName = await activeIndex(cloud.sql);
  const edits: Edit[] = [];
  const pending = new Map<string, Edit>();
  const foundAt = new Map<string, number>();
  const lost: string[] = [];
  let editing = true;
  const watcher = (async () => {
    while (editing || pending.size > 0) {
      for (const edit of [...pending.values()]) {
        if (await searchable(client, indexName, edit)) {
          foundAt.set(edit.id, Date.now());
          pending.delete(edit.id);
          say(`edit ${edits.indexOf(edit) + 1} searchable after ${round((Date.now() - edit.committedAt) / 1000)} s`);
        } else if (Date.now() - edit.committedAt > EDIT_TIMEOUT_MS) {
          lost.push(edit.id);
          pending.delete(edit.id);
        }
      }
      await sleep(POLL_MS);
    }
  })();
  try {
    const start = Date.now();
    for (const [i, id] of ids.entries()) {
      await sleep(Math.max(0, start + i * EVERY_MS - Date.now()));
      const edit = await editDocument(cloud.sql, id, ` (benchmark edit ${i + 1})`);
      edits.push(edit);
      pending.set(id, edit);
    }
  } finally {
    editing = false;
    await watcher;
  }
  return { edits, foundAt, lost };
}

/** Seconds of each stage of one edit; null where a timestamp is missing (the edit never got there). */
function stageSeconds(edit: Edit, trail: EditTrail | undefined, searchableAt: number | undefined): Record<string, number | null> {
  const at: Record<string, number | null> = {
    claimed: trail?.claimed ?? null,
    runOpened: trail?.runOpened ?? null,
    chunkDispatched: trail?.chunkDispatched ?? null,
    workerStarted: trail?.workerStarted ?? null,
    // A written row with another hash is an older write, not this edit's.
    written: trail?.writtenHash === edit.hash ? trail.written : null,
    searchable: searchableAt ?? null,
  };
  let previous: number | null = edit.committedAt;
  const seconds: Record<string, number | null> = {};
  for (const [stage, stamp] of STAGES) {
    const now = at[stamp] ?? null;
    seconds[stage] = previous === null || now === null ? null : (now - previous) / 1000;
    previous = now;
  }
  seconds.total = searchableAt === undefined ? null : (searchableAt - edit.committedAt) / 1000;
  return seconds;
}

async function main(): Promise<number> {
  const bench = await bootBenchCloud('latency');
  const { cloud } = bench;
  try {
    await seedCommittedEmbeddings(cloud.sql, DOCS);
    await waitFor(() => indexedEmbeddings(cloud.sql), (state) => state.indexed >= DOCS, { timeoutMs: 15 * 60_000, intervalMs: 1000, what: `the index to hold the ${DOCS} seeded documents` });
    const ids = (await cloud.sql<{ id: string }[]>`select id::text as id from public.source_documents order by id limit ${EDITS}`).map((row) => row.id);
    say(`${DOCS} documents indexed; editing ${ids.length}, one every ${EVERY_MS / 1000} s`);
    const { edits, foundAt, lost } = await editAndWatch(cloud, ids);
    const trails = new Map((await editTrails(cloud.sql, ids)).map((trail) => [trail.id, trail]));
    const perEdit = edits.map((edit) => stageSeconds(edit, trails.get(edit.id), foundAt.get(edit.id)));
    // Every edit in the index, then an independent scan: the index must equal the sidecar table.
    await waitFor(() => indexedEmbeddings(cloud.sql), (state) => state.indexed >= DOCS, { timeoutMs: EDIT_TIMEOUT_MS, intervalMs: 1000, what: 'the index to hold every edit' });
    const difference = await indexDifference(cloud);
    const checks = { everyEditSearchable: lost.length === 0 && foundAt.size === edits.length, indexEqualsSource: difference.equal && difference.embeddings === DOCS };
    const stages = Object.fromEntries(
      [...STAGES.map(([stage]) => stage), 'total'].map((stage) => [stage, spread(perEdit.map((seconds) => seconds[stage]).filter((value): value is number => value !== null && value !== undefined))]),
    );
    const pass = Object.values(checks).every(Boolean);
    if (!pass) await diagnose(bench);
    const result = {
      bench: 'latency',
      pass,
      checks,
      goals: [],
      docs: DOCS,
      edits: edits.length,
      editEverySeconds: EVERY_MS / 1000,
      lost: lost.length,
      chunkAttemptsAboveOne: [...trails.values()].filter((trail) => trail.attempts > 1).length,
      stagesSeconds: stages,
      searchablePollMs: POLL_MS,
      index: { vectors: difference.indexed, embeddings: difference.embeddings, missing: difference.missing, stale: difference.stale, orphaned: difference.orphaned },
      settings: 'local cloud defaults: publish-changes every 10 s, default chunking, worker and emulator settings (searchable delay included)',
    };
    say(`latency p50 ${String(stages.total?.p50)} s, p95 ${String(stages.total?.p95)} s · ${JSON.stringify(checks)}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return pass ? 0 : 1;
  } catch (error) {
    await diagnose(bench);
    throw error;
  } finally {
    say('stopping the local cloud');
    await bench.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`${JSON.stringify({ bench: 'latency', pass: false, error: message })}\n`);
    process.stderr.write(`latency bench failed: ${error instanceof Error ? error.stack ?? message : message}\n`);
    process.exit(1);
  },
);
