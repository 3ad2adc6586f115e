// The worker's side of chunks sized by work, against the local Postgres (real migrations): the
// ledger query that counts the chunks sharing an index's write quota, and a sync chunk of 5,000 ids
// read and written page by page at its share of the quota (both rates), keeping only a bounded sample.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sql } from 'postgres';
import type { LocalPostgres } from '../../local/supabase';
import type { VectorInput, WriteRates } from '../../shared/clients/oss-vectors';
import { noCounts } from '../../shared/contracts';
import type { IdsSelector } from '../../shared/contracts';
import { createSql } from '../../shared/ledger';
import { syncChunk } from '../../ecs/jobs/write';
import { WorkerLedger } from '../../ecs/ledger';
import { writeQuotaFor } from '../../ecs/writeQuota';
import { startTestPostgres } from '../helpers/database';
import { manyIds } from '../helpers/fixtures';
import { runningSyncChunk, seedEmbeddedDocuments, unreachableOss, workerWith } from '../helpers/workerChunks';

let pg: LocalPostgres;
let sql: Sql;
let ledger: WorkerLedger;

beforeAll(async () => {
  pg = await startTestPostgres();
  sql = createSql(pg.url, { max: 2 });
  ledger = new WorkerLedger(sql);
  for (const [indexName, logicalName] of [['docsv1', 'docs'], ['docsv2', 'docs'], ['otherv1', 'other']] as const) {
    await ledger.registerIndex({ indexName, logicalName, bucket: 'vectors', dimension: 384, metric: 'cosine' });
  }
  await ledger.activateIndex('docsv1');
  await ledger.activateIndex('otherv1');
}, 60_000);

afterAll(async () => {
  await sql.end();
  await pg.close();
});

/** A chunked run of `chunks` one-id chunks; the first `running` of them are running. */
async function runWith(tag: string, op: 'sync' | 'rebuild' | 'verify', indexName: string, chunks: number, running: number): Promise<string> {
  const ids = op === 'sync' ? manyIds(chunks).map((id) => `${tag}-${id}`) : undefined;
  const run = await ledger.openRun({ sourceEventId: `evt-${tag}`, op, indexName, ...(ids ? { ids } : {}) });
  for (let chunkNo = 0; chunkNo < chunks; chunkNo += 1) await ledger.addChunk(run.run_id, chunkNo, ids ? { ids: [ids[chunkNo] ?? ''] } : { after: null, through: null });
  await ledger.markRunChunked(run.run_id, chunks);
  for (let chunkNo = 0; chunkNo < running; chunkNo += 1) {
    await ledger.markChunkDispatched({ runId: run.run_id, chunkNo, commandId: `c-${tag}-${chunkNo}`, invokeId: `t-${tag}-${chunkNo}`, instanceId: 'i-local0001' });
    await ledger.markChunkRunning(run.run_id, chunkNo);
  }
  return run.run_id;
}

describe('WorkerLedger.writersOf', () => {
  it('counts the running chunks of sync and rebuild runs on every generation of the logical index', async () => {
    // Prepare: 2 running sync chunks on docsv1, 1 running rebuild chunk on docsv2 (same logical
    // index); not writers: a dispatched chunk, a running verify chunk, another logical index's chunk
    await runWith('sync', 'sync', 'docsv1', 3, 2);
    await runWith('rebuild', 'rebuild', 'docsv2', 2, 1);
    await runWith('verify', 'verify', 'docsv1', 1, 1);
    await runWith('other', 'sync', 'otherv1', 1, 1);
    const dispatchedOnly = await runWith('queued', 'sync', 'docsv1', 1, 0);
    await ledger.markChunkDispatched({ runId: dispatchedOnly, chunkNo: 0, commandId: 'c-queued', invokeId: 't-queued', instanceId: 'i-local0001' });
    // Act
    const docs = await ledger.writersOf('docs');
    const other = await ledger.writersOf('other');
    const none = await ledger.writersOf('nothing');
    // Assess
    expect([docs, other, none]).toEqual([3, 1, 0]);
  });

  it('leaves out a chunk that has finished writing, until its next attempt runs', async () => {
    // Prepare: two running chunks of index "done"
    await ledger.registerIndex({ indexName: 'donev1', logicalName: 'done', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.activateIndex('donev1');
    const runId = await runWith('done', 'sync', 'donev1', 2, 2);
    // Act: chunk 0 has written everything and validates; then its attempt is lost and runs again.
    await ledger.markWritesDone(runId, 0);
    const whileValidating = await ledger.writersOf('done');
    await ledger.requeueChunk(runId, 0, 'lost', 3);
    await ledger.markChunkDispatched({ runId, chunkNo: 0, commandId: 'c-done-0b', invokeId: 't-done-0b', instanceId: 'i-local0001' });
    await sql`select pg_sleep(0.01)`;
    await ledger.markChunkRunning(runId, 0);
    const nextAttempt = await ledger.writersOf('done');
    // Assert
    expect([whileValidating, nextAttempt]).toEqual([1, 2]);
  });
});

describe('syncChunk of 5,000 ids', () => {
  it('reads and writes them a page at a time, at its share of the write quota, and keeps a bounded sample', async () => {
    // Prepare: 5,000 documents with embeddings, a sync run with one chunk of all of them, running
    const ids = manyIds(5000).map((id) => id.replace(/^00000000/u, '5a5a5a5a'));
    await seedEmbeddedDocuments(sql, ids);
    const { run, chunk, index } = await runningSyncChunk(ledger, '5000', 'docsv1', ids);
    // This chunk and the previous test's three running chunks of 'docs' share the quota.
    const writers = await ledger.writersOf('docs');
    const oss = unreachableOss();
    const puts: { index: string; size: number; rates: WriteRates }[] = [];
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      puts.push({ index: input.indexName, size: input.vectors.length, rates: oss.writeRates });
    });
    // docsv2 is being rebuilt: the sync chunk writes into it too (and makes sure it exists).
    vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const pages: number[] = [];
    const readPage = ledger.syncPage.bind(ledger);
    vi.spyOn(ledger, 'syncPage').mockImplementation(async (page, indexName, headChars) => {
      pages.push(page.length);
      return readPage(page, indexName, headChars);
    });
    const config = { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 10, INDEX_WRITE_VECTORS_PER_SECOND: 5000 };
    const worker = workerWith(ledger, oss, config);
    const counts = noCounts();
    // Act
    const sample: VectorInput[] = await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'docs') }, counts);
    // Assess
    expect(writers).toBe(4);
    expect(counts).toMatchObject({ upserted: 5000, deleted: 0, rejected: 0 });
    expect(pages).toEqual(Array(10).fill(500));
    expect(puts.filter((put) => put.index === 'docsv1').map((put) => put.size)).toEqual(Array(10).fill(500));
    expect(puts.filter((put) => put.index === 'docsv2').map((put) => put.size)).toEqual(Array(10).fill(500));
    expect(puts.map((put) => put.rates)).toEqual(Array(20).fill({ requestsPerSecond: 10 / writers, vectorsPerSecond: 5000 / writers }));
    expect(sample).toHaveLength(1000);
    const [held] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where index_name = 'docsv1' and document_id like '5a5a5a5a-%'`;
    expect(held?.n).toBe(5000);
  }, 120_000);
});
