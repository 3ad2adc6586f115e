// What a chaos run must end with, read from Postgres, the index (through the OSS Vectors API), the
// outbox and the bus once the faults are lifted and the pipeline is quiet.
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { StackDefaults, compareIndex, mailCounts } from '../stack';
import type { LocalCloud } from '../stack';

/** The verdict of each check (all must hold) and what each found. */
export interface ChaosVerdict {
  readonly checks: Record<string, boolean>;
  readonly findings: Record<string, unknown>;
}

/** What the checks need to know about the run besides the cloud. */
export interface CheckContext {
  /** Event ids of the rebuilds the workload asked for. */
  readonly rebuildEventIds: readonly string[];
  /** Document ordinals (`metadata.n`) the workload deleted. */
  readonly deletedOrdinals: readonly number[];
}

const FIRST = 5;

/** The index read through ListVectors against the embeddings, plus GetVectors of the deleted documents and a sample of live ones. */
async function indexAgainstPostgres(cloud: LocalCloud, context: CheckContext): Promise<{ ok: boolean; finding: Record<string, unknown> }> {
  const access = { bucket: StackDefaults.vectorBucket, endpoint: cloud.ossVectors.endpoint, region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, keys: cloud.keys.worker };
  const compared = await compareIndex(cloud.sql, { logicalIndex: StackDefaults.logicalIndex, ...access });
  const client = new OssVectorsClient({ region: access.region, accountId: access.accountId, credentials: access.keys, endpoint: access.endpoint });
  // The deleted documents' ids are gone from Postgres: the workload's ordinals name them in the run items.
  const deletedIds = (await cloud.sql<{ id: string }[]>`
    select distinct i.document_id as id from vector_sync.run_items as i
    where not exists (select 1 from public.source_documents as d where d.id::text = i.document_id)`).map((row) => row.id);
  const live = await cloud.sql<{ id: string; hash: string }[]>`select case when e.passage_no = 0 then e.document_id::text else e.document_id::text || '#' || e.passage_no end as id, e.content_hash as hash from public.document_embeddings as e order by md5(e.document_id::text), e.passage_no limit 100`;
  const keys = [...deletedIds.slice(0, 400), ...live.map((row) => row.id)];
  const found = new Map<string, unknown>();
  for (let i = 0; i < keys.length; i += 100) {
    for (const vector of await client.getVectors({ bucket: access.bucket, indexName: compared.indexName, keys: keys.slice(i, i + 100), returnMetadata: true })) found.set(vector.key, vector.metadata?.content_hash);
  }
  const deletedStillThere = deletedIds.filter((id) => found.has(id));
  const liveWrong = live.filter((row) => found.get(row.id) !== row.hash).map((row) => row.id);
  const ok = compared.missing.length + compared.stale.length + compared.orphaned.length + deletedStillThere.length + liveWrong.length === 0;
  return {
    ok,
    finding: {
      generation: compared.indexName,
      vectors: compared.indexed,
      embeddings: compared.embeddings,
      missing: compared.missing.length,
      stale: compared.stale.length,
      orphaned: compared.orphaned.length,
      getVectors: { deletedChecked: Math.min(deletedIds.length, 400), deletedStillThere: deletedStillThere.length, liveChecked: live.length, liveWrong: liveWrong.length },
      ...(ok ? {} : { examples: [...compared.missing, ...compared.stale, ...compared.orphaned, ...deletedStillThere, ...liveWrong].slice(0, FIRST) }),
      deletedDocuments: context.deletedOrdinals.length,
    },
  };
}

/** One active generation, none building or retired, and the bucket holds only the active one. */
async function generations(cloud: LocalCloud): Promise<{ ok: boolean; finding: Record<string, unknown> }> {
  const rows = await cloud.sql<{ index_name: string; state: string }[]>`select index_name, state from vector_sync.indexes where logical_name = ${StackDefaults.logicalIndex} order by created_at`;
  const client = new OssVectorsClient({ region: cloud.ossVectors.region, accountId: cloud.ossVectors.accountId, credentials: cloud.keys.worker, endpoint: cloud.ossVectors.endpoint });
  const inBucket = (await client.listVectorIndexes({ bucket: StackDefaults.vectorBucket, maxResults: 100 })).indexes.map((index) => index.indexName);
  const active = rows.filter((row) => row.state === 'active').map((row) => row.index_name);
  const leftOver = rows.filter((row) => row.state === 'building' || row.state === 'retired');
  const ok = active.length === 1 && leftOver.length === 0 && inBucket.length === 1 && inBucket[0] === active[0];
  return { ok, finding: { byState: countBy(rows.map((row) => row.state)), active, leftOver, inBucket } };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

interface RunRow {
  run_id: string;
  source_event_id: string;
  op: string;
  state: string;
  error: string | null;
  report_disposition: string | null;
  digest_window_start: Date | null;
}

/**
 * Every run ended, and was reported exactly once: its own e-mail (disposition `sent`: one
 * `run-report/<run>` message) or the digest of its window (`digest`: that window's digest sent
 * once, and the run named in exactly one digest e-mail), never both.
 */
async function runsAndReports(cloud: LocalCloud, runs: readonly RunRow[]): Promise<{ checks: Record<string, boolean>; finding: Record<string, unknown> }> {
  const outbox = await cloud.resend.outbox.list();
  const mail = mailCounts(outbox);
  const digestMails = outbox.filter((entry) => (entry.metadata.idempotency_key ?? '').startsWith('digest/'));
  const open = runs.filter((run) => run.state !== 'completed' && run.state !== 'failed');
  const unsettled = runs.filter((run) => run.report_disposition === null);
  const reportsOf = countBy(mail.reportedRuns);
  const wrongReports: string[] = [];
  for (const run of runs) {
    const own = reportsOf[run.run_id] ?? 0;
    const inDigests = digestMails.filter((entry) => entry.html.includes(run.run_id)).length;
    const expected = run.report_disposition === 'sent' ? own === 1 && inDigests === 0 : run.report_disposition === 'digest' ? own === 0 && inDigests === 1 : false;
    if (!expected) wrongReports.push(`${run.run_id} (${run.op}, ${run.state}, ${run.report_disposition ?? 'unsettled'}): ${own} own e-mail(s), in ${inDigests} digest(s)`);
  }
  const strays = Object.keys(reportsOf).filter((runId) => !runs.some((run) => run.run_id === runId));
  const digests = await cloud.sql<{ window_start: Date; state: string }[]>`select window_start, state from vector_sync.digests where logical_name = ${StackDefaults.logicalIndex}`;
  const badDigests = digests
    .map((row) => ({ window: row.window_start.toISOString(), state: row.state, mails: mail.digestsPerWindow.get(`${StackDefaults.logicalIndex}/${row.window_start.toISOString()}`) ?? 0 }))
    .filter((row) => row.state !== 'sent' || row.mails !== 1);
  return {
    checks: {
      everyRunEnded: open.length === 0,
      everyRunReportedOnce: unsettled.length === 0 && wrongReports.length === 0 && strays.length === 0,
      everyDigestSentOnce: badDigests.length === 0,
    },
    finding: {
      openRuns: open.map((run) => `${run.run_id} (${run.op}, ${run.state})`).slice(0, FIRST),
      emails: { total: mail.total, runReports: mail.runReports, digests: mail.digests, other: mail.other },
      digestWindows: digests.length,
      ...(wrongReports.length > 0 ? { wrongReports: wrongReports.slice(0, FIRST), wrongReportCount: wrongReports.length } : {}),
      ...(strays.length > 0 ? { reportsOfUnknownRuns: strays.slice(0, FIRST) } : {}),
      ...(badDigests.length > 0 ? { badDigests: badDigests.slice(0, FIRST) } : {}),
    },
  };
}

/**
 * Nothing good was parked (the only refusals expected are the later rebuilds of a burst, refused
 * with RebuildInProgress), nothing dead-lettered in the queues, and on the bus only completion
 * events (their route retries briefly by design; reconcile recovers their chunks).
 */
async function refusals(cloud: LocalCloud, context: CheckContext): Promise<{ checks: Record<string, boolean>; finding: Record<string, unknown> }> {
  const parked = await cloud.sql<{ function_name: string; event_id: string | null; event_type: string | null; code: string; reason: string }[]>`
    select function_name, event_id, event_type, code, reason from vector_sync.parked_events order by id`;
  const good = parked.filter((row) => !(row.code === 'RebuildInProgress' && row.event_id !== null && context.rebuildEventIds.includes(row.event_id)));
  const [queueDead] = await cloud.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.dead_letters`;
  const busDead = cloud.eventBridge.deadLetters;
  const completions = busDead.filter((letter) => String(letter.event.type ?? '').startsWith('ecs:CloudAssistant'));
  const others = busDead.filter((letter) => !completions.includes(letter));
  return {
    checks: { nothingGoodParked: good.length === 0, noDeadLetters: (queueDead?.n ?? 0) === 0 && others.length === 0 },
    finding: {
      parked: parked.length,
      refusedRebuilds: parked.length - good.length,
      ...(good.length > 0 ? { parkedGood: good.slice(0, FIRST).map((row) => `${row.function_name} ${row.event_type ?? '?'} ${row.event_id ?? '?'}: ${row.code} ${row.reason.slice(0, 200)}`), parkedGoodCount: good.length } : {}),
      queueDeadLetters: queueDead?.n ?? 0,
      busDeadLetters: { completionsRecoveredByReconcile: completions.length, other: others.length, ...(others.length > 0 ? { examples: others.slice(0, FIRST).map((letter) => `${letter.functionName} ${String(letter.event.type)} ${letter.event.id}: ${letter.lastError.slice(0, 200)}`) } : {}) },
    },
  };
}

/** No run failed because a rebuild switched or dropped a generation under it; each rebuild asked for ran to the end or was refused. */
async function rebuilds(cloud: LocalCloud, runs: readonly RunRow[], context: CheckContext): Promise<{ checks: Record<string, boolean>; finding: Record<string, unknown> }> {
  const chunkErrors = await cloud.sql<{ run_id: string; error: string }[]>`select run_id, error from vector_sync.chunks where error is not null`;
  const byRebuild = /NoSuchVectorIndex|IndexNotFound|generation .* (retired|dropped)/u;
  const failed = runs.filter((run) => run.state === 'failed');
  const [attempts] = await cloud.sql<{ max: number; over3: number }[]>`select coalesce(max(attempts), 0)::int as max, count(*) filter (where attempts > 3)::int as over3 from vector_sync.chunks`;
  const causedByRebuild = failed.filter((run) => byRebuild.test(run.error ?? '') || chunkErrors.some((chunk) => chunk.run_id === run.run_id && byRebuild.test(chunk.error)));
  const parked = await cloud.sql<{ event_id: string }[]>`select event_id from vector_sync.parked_events where code = 'RebuildInProgress' and event_id = any(${[...context.rebuildEventIds]})`;
  const outcomes = context.rebuildEventIds.map((eventId) => {
    const run = runs.find((candidate) => candidate.source_event_id === eventId);
    if (run) return `${eventId}: run ${run.state}`;
    return parked.some((row) => row.event_id === eventId) ? `${eventId}: refused (RebuildInProgress)` : `${eventId}: no run, not refused`;
  });
  return {
    checks: {
      noRunFailedBecauseOfRebuild: causedByRebuild.length === 0,
      everyRebuildRanOrWasRefused: outcomes.every((line) => line.endsWith('run completed') || line.endsWith('(RebuildInProgress)')),
    },
    finding: {
      failedRuns: failed.slice(0, FIRST).map((run) => `${run.run_id} (${run.op}): ${(run.error ?? '').slice(0, 300)}`),
      failedRunCount: failed.length,
      // Chunks that needed more than the default MAX_CHUNK_ATTEMPTS (3): they would have failed their run.
      chunkAttempts: { max: attempts?.max ?? 0, chunksOver3: attempts?.over3 ?? 0 },
      ...(causedByRebuild.length > 0 ? { failedBecauseOfRebuild: causedByRebuild.map((run) => run.run_id) } : {}),
      rebuilds: outcomes,
    },
  };
}

/** How the bus fared: push attempts per function and outcome, and service events it refused. */
function busFindings(cloud: LocalCloud): Record<string, unknown> {
  const pushes: Record<string, Record<string, number>> = {};
  for (const delivery of cloud.eventBridge.deliveries) {
    const byOutcome = (pushes[delivery.functionName] ??= {});
    byOutcome[delivery.outcome] = (byOutcome[delivery.outcome] ?? 0) + 1;
  }
  const refused = cloud.cloudAssistant.runner.deliveryErrors.map((error) => (error instanceof Error ? error.message : String(error)));
  return { pushes, deadLetters: cloud.eventBridge.deadLetters.length, ...(refused.length > 0 ? { taskCompletedRefused: refused.length, examples: refused.slice(0, FIRST) } : {}) };
}

/** Runs every check once the pipeline is quiet. */
export async function checkChaosOutcome(cloud: LocalCloud, context: CheckContext): Promise<ChaosVerdict> {
  const runs = await cloud.sql<RunRow[]>`select run_id, source_event_id, op, state, error, report_disposition, digest_window_start from vector_sync.runs order by accepted_at`;
  const [embedded] = await cloud.sql<{ documents: number; stale: number }[]>`
    select count(*)::int as documents,
           count(*) filter (where e.content_hash is distinct from encode(sha256(convert_to(d.content, 'UTF8')), 'hex'))::int as stale
    from public.source_documents as d left join public.document_embeddings as e on e.document_id = d.id and e.passage_no = 0`;
  const index = await indexAgainstPostgres(cloud, context);
  const gens = await generations(cloud);
  const reports = await runsAndReports(cloud, runs);
  const refused = await refusals(cloud, context);
  const rebuilt = await rebuilds(cloud, runs, context);
  return {
    checks: {
      everyDocumentEmbedded: (embedded?.stale ?? 1) === 0,
      indexEqualsPostgres: index.ok,
      oneGenerationLeft: gens.ok,
      ...reports.checks,
      ...refused.checks,
      ...rebuilt.checks,
    },
    findings: {
      documents: embedded?.documents ?? 0,
      embeddingsBehind: embedded?.stale ?? 0,
      index: index.finding,
      generations: gens.finding,
      runs: { total: runs.length, byOp: countBy(runs.map((run) => run.op)), byState: countBy(runs.map((run) => run.state)), byReport: countBy(runs.map((run) => run.report_disposition ?? 'unsettled')) },
      reports: reports.finding,
      refusals: refused.finding,
      rebuilds: rebuilt.finding,
      bus: busFindings(cloud),
    },
  };
}
