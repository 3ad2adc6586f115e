// A sync chunk racing a rebuild's switch-over (issue 19): the run was opened on one generation,
// and while the chunk writes, the rebuild activates the next one and drops the first. The chunk
// follows the switch (the active generation and any being built are read again for every page),
// leaves out the generation that is gone (NoSuchVectorIndex, and the ledger has it dropped), and
// ends with every vector in the new active generation instead of failing the run.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Sql } from 'postgres';
import type { LocalPostgres } from '../../local/supabase';
import { OssVectorsNotFoundError } from '../../shared/clients/oss-vectors';
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
}, 60_000);

afterAll(async () => {
  await sql.end();
  await pg.close();
});

function noSuchIndex(indexName: string): OssVectorsNotFoundError {
  return new OssVectorsNotFoundError({ operation: 'PutVectors', status: 404, code: 'NoSuchVectorIndex', message: `The specified vector index ${indexName} does not exist.` });
}

describe('a sync chunk during a rebuild switch-over', () => {
  it('follows the switch and the drop, and writes every vector into the new active generation', async () => {
    // Prepare: swapv1 active (the run's generation), swapv2 being built; 1,000 documents in two pages
    await ledger.registerIndex({ indexName: 'swapv1', logicalName: 'swap', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.activateIndex('swapv1');
    await ledger.registerIndex({ indexName: 'swapv2', logicalName: 'swap', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.openRun({ sourceEventId: 'evt-swap-rebuild', op: 'rebuild', indexName: 'swapv2' });
    const ids = manyIds(1000).map((id) => id.replace(/^00000000/u, '5b5b5b5b'));
    await seedEmbeddedDocuments(sql, ids);
    const { run, chunk, index } = await runningSyncChunk(ledger, 'swap', 'swapv1', ids);
    const oss = unreachableOss();
    const puts: { index: string; size: number }[] = [];
    let switched = false;
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      if (input.indexName === 'swapv1') {
        // The rebuild finishes right now: swapv2 becomes active, swapv1 is retired and dropped.
        if (!switched) {
          await ledger.activateIndex('swapv2');
          await ledger.markIndexDropped('swapv1');
          switched = true;
        }
        throw noSuchIndex('swapv1');
      }
      puts.push({ index: input.indexName, size: input.vectors.length });
    });
    vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    const counts = noCounts();
    // Act
    await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'swap') }, counts);
    // Assess: no failure; both pages in swapv2 (the first as the generation being built, the second as the active one)
    expect(switched).toBe(true);
    expect(counts).toMatchObject({ upserted: 1000, rejected: 0, failed: 0 });
    expect(puts).toEqual([{ index: 'swapv2', size: 500 }, { index: 'swapv2', size: 500 }]);
    const [held] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where index_name = 'swapv2'`;
    expect(held?.n).toBe(1000);
  }, 60_000);

  it('writes nothing into a generation a failed rebuild left building', async () => {
    // Prepare: orphv1 active; orphv2 still 'building', but its rebuild run failed
    await ledger.registerIndex({ indexName: 'orphv1', logicalName: 'orph', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.activateIndex('orphv1');
    await ledger.registerIndex({ indexName: 'orphv2', logicalName: 'orph', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    const rebuild = await ledger.openRun({ sourceEventId: 'evt-orph-rebuild', op: 'rebuild', indexName: 'orphv2' });
    await ledger.failRun(rebuild.run_id, 'failed for the test');
    const ids = manyIds(3).map((id) => id.replace(/^00000000/u, '5d5d5d5d'));
    await seedEmbeddedDocuments(sql, ids);
    const { run, chunk, index } = await runningSyncChunk(ledger, 'orph', 'orphv1', ids);
    const oss = unreachableOss();
    const puts: string[] = [];
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      puts.push(input.indexName);
    });
    vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    // Act
    await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'orph') }, noCounts());
    // Assess
    expect(puts).toEqual(['orphv1']);
  }, 60_000);

  it('leaves out a generation being built that was dropped while its batch gathered, instead of creating it again', async () => {
    // Prepare: gathv1 active, gathv2 being built; 3 documents, so each target's batch goes out at
    // the end of the chunk, one at a time: gathv1's first, and while it is written gathv2 is dropped
    await ledger.registerIndex({ indexName: 'gathv1', logicalName: 'gath', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.activateIndex('gathv1');
    await ledger.registerIndex({ indexName: 'gathv2', logicalName: 'gath', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.openRun({ sourceEventId: 'evt-gath-rebuild', op: 'rebuild', indexName: 'gathv2' });
    const ids = manyIds(3).map((id) => id.replace(/^00000000/u, '5e5e5e5e'));
    await seedEmbeddedDocuments(sql, ids);
    const { run, chunk, index } = await runningSyncChunk(ledger, 'gath', 'gathv1', ids);
    const oss = unreachableOss();
    const puts: string[] = [];
    vi.spyOn(oss, 'putPreparedVectors').mockImplementation(async (input) => {
      puts.push(input.indexName);
      if (input.indexName === 'gathv1') await ledger.markIndexDropped('gathv2');
    });
    const created = vi.spyOn(oss, 'putVectorIndex').mockResolvedValue(undefined);
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000, WORKER_WRITE_CONCURRENCY: 1 });
    const counts = noCounts();
    // Act
    await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'gath') }, counts);
    // Assess: no failure, nothing created or written in gathv2
    expect(puts).toEqual(['gathv1']);
    expect(created).not.toHaveBeenCalled();
    expect(counts).toMatchObject({ upserted: 3, failed: 0 });
  }, 60_000);

  it('still fails on NoSuchVectorIndex for a generation the ledger says is active', async () => {
    // Prepare: the active generation's OSS index is missing for real (deleted by hand)
    await ledger.registerIndex({ indexName: 'lostv1', logicalName: 'lost', bucket: 'vectors', dimension: 384, metric: 'cosine' });
    await ledger.activateIndex('lostv1');
    const ids = manyIds(3).map((id) => id.replace(/^00000000/u, '5c5c5c5c'));
    await seedEmbeddedDocuments(sql, ids);
    const { run, chunk, index } = await runningSyncChunk(ledger, 'lost', 'lostv1', ids);
    const oss = unreachableOss();
    vi.spyOn(oss, 'putPreparedVectors').mockRejectedValue(noSuchIndex('lostv1'));
    const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    // Act / Assess
    await expect(syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, 'lost') }, noCounts())).rejects.toBeInstanceOf(OssVectorsNotFoundError);
  }, 60_000);
});
