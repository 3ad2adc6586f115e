// The worker's write pipeline against the local Postgres (real migrations), OSS Vectors stubbed:
// batches are full across pages, a page costs one statement for what was decided and a batch one
// for what it wrote, write calls in flight stay within WORKER_WRITE_CONCURRENCY, the next page is
// read while the current one is written, and a chunk's result counts its write calls and 429s.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sql } from 'postgres';
import type { LocalPostgres } from '../../local/supabase';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { HttpAnswer, HttpCall } from '../../shared/clients/oss-vectors';
import { noCounts } from '../../shared/contracts';
import type { IdsSelector, RangeSelector } from '../../shared/contracts';
import { createSql } from '../../shared/ledger';
import type { Statement } from '../../shared/ledger/LedgerBase';
import { runChunk } from '../../ecs/jobs/runChunk';
import { rebuildChunk, syncChunk } from '../../ecs/jobs/write';
import { WorkerLedger } from '../../ecs/ledger';
import { writeQuotaFor } from '../../ecs/writeQuota';
import { startTestPostgres } from '../helpers/database';
import { manyIds } from '../helpers/fixtures';
import { runningRebuildChunk, runningSyncChunk, seedEmbeddedDocuments, unreachableOss, workerWith } from '../helpers/workerChunks';

let pg: LocalPostgres;
let sql: Sql;
let ledger: WorkerLedger;

beforeAll(async () => {
  pg = await startTestPostgres();
  sql = createSql(pg.url, { max: 3 });
  ledger = new WorkerLedger(sql);
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await sql.end();
  await pg.close();
});

/** `n` uuids starting with `prefix` (8 hex digits), and the key range that holds exactly them. */
function idsWith(prefix: string, n: number): { ids: string[]; range: { after: string; through: string } } {
  const ids = manyIds(n).map((id) => id.replace(/^00000000/u, prefix));
  return { ids, range: { after: `${prefix}-0000-0000-0000-000000000000`, through: `${prefix}-ffff-ffff-ffff-ffffffffffff` } };
}

/** Counts the statements the ledger sends, by name, from now on. */
function countStatements(target: WorkerLedger): Map<string, number> {
  const counts = new Map<string, number>();
  const withQuery = target as unknown as { query: (operation: string, statement: Statement) => Promise<readonly Record<string, unknown>[]> };
  const query = withQuery.query.bind(target);
  vi.spyOn(withQuery, 'query').mockImplementation(async (operation, statement) => {
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    return query(operation, statement);
  });
  return counts;
}

async function registered(indexName: string, logicalName: string, active: boolean): Promise<void> {
  await ledger.registerIndex({ indexName, logicalName, bucket: 'vectors', dimension: 384, metric: 'cosine' });
  if (active) await ledger.activateIndex(indexName);
}

/** A promise and its resolver. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('a rebuild chunk', () => {
  it('fills batches of 500 across pages and sends one statement per page decided and per batch written', async () => {
    // Prepare: 1,000 documents read 300 a page; 3 of them have all-zero vectors (refused on cosine)
    const { ids, range } = idsWith('6a6a6a6a', 1000);
    await seedEmbeddedDocuments(sql, ids.slice(0, 997));
    await seedEmbeddedDocuments(sql, ids.slice(997), 0);
    await registered('fillv1', 'fill', false);
    const { run, chunk, index } = await runningRebuildChunk(ledger, 'fill', 'fillv1', range);
    const oss = unreachableOss();
    const puts: number[] = [];
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      puts.push(input.vectors.length);
    });
    vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 300, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    const statements = countStatements(ledger);
    const counts = noCounts();
    // Act
    await rebuildChunk({ worker, run, chunk, selector: chunk.selector as RangeSelector, index, quota: writeQuotaFor(worker, 'fill') }, counts);
    // Assess: full batches, not one per page
    expect(puts).toEqual([500, 497]);
    expect(counts).toMatchObject({ upserted: 997, rejected: 3, skipped: 0 });
    // 4 pages and the empty one after them; the refusals (all on the last page) in one statement; one per batch
    expect(Object.fromEntries(statements)).toEqual({ index_writers: 1, read_embedding_page: 5, record_outcomes: 1, record_write: 2 });
    const rejections = await sql`select document_id, reason from vector_sync.rejections where run_id = ${run.run_id} order by document_id`;
    expect(rejections.map((row) => [row.document_id, row.reason])).toEqual(ids.slice(997).map((id) => [id, 'ZeroVectorOnCosine']));
    const items = await sql`select outcome, count(*)::int as n from vector_sync.run_items where run_id = ${run.run_id} group by outcome order by outcome`;
    expect(items.map((row) => [row.outcome, row.n])).toEqual([['rejected', 3], ['upserted', 997]]);
    const [held] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where index_name = 'fillv1'`;
    expect(held?.n).toBe(997);
  }, 60_000);

  it('reads the next page while the current one is being written', async () => {
    // Prepare: two pages of 500, one write call at a time. The second read goes on only once the
    // first write has started, and the first write ends only once the second read has: a worker
    // that reads ahead gets through; one that reads after writing waits out the 5 s fallbacks
    // (there so that it fails the order below instead of hanging).
    const { ids, range } = idsWith('6b6b6b6b', 1000);
    await seedEmbeddedDocuments(sql, ids);
    await registered('aheadv1', 'ahead', false);
    const { run, chunk, index } = await runningRebuildChunk(ledger, 'ahead', 'aheadv1', range);
    const events: string[] = [];
    const firstWrite = deferred();
    const secondRead = deferred();
    const fallback = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5000));
    const read = ledger.embeddingPage.bind(ledger);
    let reads = 0;
    vi.spyOn(ledger, 'embeddingPage').mockImplementation(async (input) => {
      const n = (reads += 1);
      events.push(`read ${n} start`);
      if (n === 2) await Promise.race([firstWrite.promise, fallback()]);
      const rows = await read(input);
      events.push(`read ${n} end`);
      if (n === 2) secondRead.resolve();
      return rows;
    });
    const oss = unreachableOss();
    let writes = 0;
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async () => {
      const n = (writes += 1);
      events.push(`write ${n} start`);
      if (n === 1) {
        firstWrite.resolve();
        await Promise.race([secondRead.promise, fallback()]);
      }
      events.push(`write ${n} end`);
    });
    vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000, WORKER_WRITE_CONCURRENCY: 1 });
    // Act
    await rebuildChunk({ worker, run, chunk, selector: chunk.selector as RangeSelector, index, quota: writeQuotaFor(worker, 'ahead') }, noCounts());
    // Assess: page 2 was read while page 1 was being written
    expect(events.slice(0, 6)).toEqual(['read 1 start', 'read 1 end', 'read 2 start', 'write 1 start', 'read 2 end', 'write 1 end']);
    expect(events.filter((event) => event.startsWith('write') && event.endsWith('end'))).toHaveLength(2);
  }, 60_000);
});

describe('a sync chunk', () => {
  it('gathers the puts and the deletes of its pages into full batches of each', async () => {
    // Prepare: 1,200 ids read 300 a page; every sixth id has no row (200 deletes across the 4
    // pages), and the index holds 100 of those; the other 1,000 have rows
    const { ids } = idsWith('6c6c6c6c', 1200);
    const gone = ids.filter((_, i) => i % 6 === 5);
    const present = ids.filter((_, i) => i % 6 !== 5);
    await seedEmbeddedDocuments(sql, present);
    await registered('splitv1', 'split', true);
    await sql`select vector_sync.upsert_index_state('splitv1', ${gone.slice(0, 100)}::text[], ${gone.slice(0, 100).map(() => 'f'.repeat(64))}::text[])`;
    const { run, chunk, index } = await runningSyncChunk(ledger, 'split', 'splitv1', ids);
    const oss = unreachableOss();
    const calls: string[] = [];
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      calls.push(`put ${input.vectors.length}`);
    });
    vi.spyOn(oss, 'deleteVectors').mockImplementation(async (input) => {
      calls.push(`delete ${input.keys.length}`);
    });
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 300, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    const statements = countStatements(ledger);
    const counts = noCounts();
    // Act
    await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'split') }, counts);
    // Assess
    expect(calls.sort()).toEqual(['delete 200', 'put 500', 'put 500']);
    expect(counts).toMatchObject({ upserted: 1000, deleted: 100, skipped: 100, rejected: 0 });
    expect(Object.fromEntries(statements)).toEqual({ index_writers: 1, write_targets: 4, read_sync_page: 4, record_write: 3 });
    const items = await sql`select op, outcome, count(*)::int as n from vector_sync.run_items where run_id = ${run.run_id} group by op, outcome order by op, outcome`;
    expect(items.map((row) => [row.op, row.outcome, row.n])).toEqual([['delete', 'deleted', 100], ['delete', 'skipped', 100], ['upsert', 'upserted', 1000]]);
    const [held] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where index_name = 'splitv1'`;
    expect(held?.n).toBe(1000);
  }, 60_000);

  it('keeps no more than WORKER_WRITE_CONCURRENCY write calls in flight', async () => {
    // Prepare: 5,000 ids without rows: ten DeleteVectors of 500, three allowed in flight
    const { ids } = idsWith('6d6d6d6d', 5000);
    await registered('flightv1', 'flight', true);
    const { run, chunk, index } = await runningSyncChunk(ledger, 'flight', 'flightv1', ids);
    const oss = unreachableOss();
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    vi.spyOn(oss, 'deleteVectors').mockImplementation(async () => {
      calls += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      // Held a moment, so that calls overlap when the writer lets them.
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight -= 1;
    });
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000, WORKER_WRITE_CONCURRENCY: 3 });
    // Act
    await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'flight') }, noCounts());
    // Assess
    expect(calls).toBe(10);
    expect(most).toBe(3);
  }, 60_000);
});

describe('runChunk', () => {
  it('reports its write calls and the ones answered 429', async () => {
    // Prepare: a sync of 600 documents; the index answers the first PutVectors 429
    const { ids } = idsWith('6e6e6e6e', 600);
    await seedEmbeddedDocuments(sql, ids);
    await registered('countv1', 'count', true);
    const { run } = await runningSyncChunk(ledger, 'count', 'countv1', ids);
    let puts = 0;
    const send = async (call: HttpCall): Promise<HttpAnswer> => {
      if (call.path === '/?putVectors' && (puts += 1) === 1) return { status: 429, headers: { 'retry-after': '0' }, body: Buffer.from('{"Error":{"Code":"Throttling"}}') };
      return { status: 200, headers: {}, body: Buffer.from('{}') };
    };
    const oss = new OssVectorsClient({ region: 'cn-hangzhou', accountId: '1', credentials: { accessKeyId: 'test-key', accessKeySecret: 'test-secret' }, endpoint: 'http://127.0.0.1:9', baseDelayMs: 1 }, { send });
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    // Act
    const outcome = await runChunk(worker, run.run_id, 0);
    // Assess: two batches (500 + 100), one of them sent twice
    expect(outcome).toMatchObject({ upserted: 600, writeCalls: 3, throttledCalls: 1 });
    const [stored] = await sql`select result from vector_sync.chunks where run_id = ${run.run_id} and chunk_no = 0`;
    expect(stored?.result).toMatchObject({ upserted: 600, writeCalls: 3, throttledCalls: 1 });
  }, 60_000);
});
