// The Ledger client against the real migrations on the local Postgres, over postgres.js.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import type { LocalPostgres } from '../../local/supabase';
import { createSql } from '../../shared/ledger';
import { chunkRun } from '../../shared/domain/chunk';
import { buildRunReport, renderReport } from '../../shared/report';
import { generationName, NoActiveIndexError, openRunForEvent, RebuildInProgressError } from '../../shared/domain/validate';
import type { RunSource } from '../../shared/domain/validate';
import { Ledger, LedgerRefusedError } from '../../shared/ledger';
import { recordChangeBatch } from '../helpers/changeBatches';
import { startTestPostgres } from '../helpers/database';

let pg: LocalPostgres;
let sql: Sql;
let ledger: Ledger;
const result = { upserted: 2, deleted: 1, skipped: 0, rejected: 0, failed: 0 };

beforeAll(async () => {
  pg = await startTestPostgres();
  sql = createSql(pg.url, { max: 2 });
  ledger = new Ledger(sql);
  await ledger.registerIndex({ indexName: 'documentsg1', logicalName: 'documents', bucket: 'vectors', dimension: 384, metric: 'cosine' });
  await ledger.activateIndex('documentsg1');
});

afterAll(async () => {
  await sql.end();
  await pg.close();
});

describe('Ledger', () => {
  it('walks a sync run from accepted to completed with summed counts', async () => {
    // Prepare
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
    // Act
    const run = await ledger.openRun({ sourceEventId: 'evt-ledger-1', op: 'sync', indexName: 'documentsg1', ids });
    const again = await ledger.openRun({ sourceEventId: 'evt-ledger-1', op: 'sync', indexName: 'documentsg1', ids });
    await ledger.addChunk(run.run_id, 0, { ids });
    await ledger.markRunChunked(run.run_id, 1);
    const dispatched = await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: 'c-1', invokeId: 't-1', instanceId: 'i-local0001' });
    await ledger.markChunkRunning(run.run_id, 0, 'c-1');
    const open = await ledger.completeRun(run.run_id);
    await ledger.finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result, commandId: 'c-1' });
    const done = await ledger.completeRun(run.run_id);
    // Assert
    expect(again.run_id).toBe(run.run_id);
    expect(run).toMatchObject({ state: 'accepted', ids_total: 3, op: 'sync' });
    expect(dispatched).toMatchObject({ state: 'dispatched', attempts: 1, command_id: 'c-1' });
    expect(open.state).toBe('dispatched');
    expect(done).toMatchObject({ state: 'completed', upserted: 2, deleted: 1, failed: 0 });
    expect((await ledger.chunkForCommand('c-1'))?.state).toBe('succeeded');
    expect(await ledger.markReportSent(run.run_id, 'msg-1')).toBe(true);
    expect(await ledger.markReportSent(run.run_id, 'msg-1')).toBe(false);
  });

  it('turns a guarded move from the wrong state into a LedgerRefusedError with the SQL code', async () => {
    // Prepare
    const run = await ledger.openRun({ sourceEventId: 'evt-ledger-2', op: 'verify', indexName: 'documentsg1' });
    await ledger.addChunk(run.run_id, 0, { after: null, through: null });
    // Act
    const act = ledger.finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result });
    // Assert
    await expect(act).rejects.toBeInstanceOf(LedgerRefusedError);
    await expect(act).rejects.toMatchObject({ code: '55000', kind: 'permanent' });
  });

  it('answers undefined for what does not exist', async () => {
    expect(await ledger.chunkForCommand('c-none')).toBeUndefined();
    expect(await ledger.activeIndex('nothing')).toBeUndefined();
    expect((await ledger.activeIndex('documents'))?.index_name).toBe('documentsg1');
    expect(await ledger.run('9f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f')).toBeUndefined();
  });
});

describe('chunkRun', () => {
  it('cuts a sync run into id lists and records them once', async () => {
    // Prepare
    const ids = Array.from({ length: 5 }, (_, i) => `00000000-0000-4000-8000-00000000010${i}`);
    const run = await ledger.openRun({ sourceEventId: 'evt-chunk-sync', op: 'sync', indexName: 'documentsg1', ids });
    // Act
    const chunks = await chunkRun(ledger, run.run_id, 2);
    const again = await chunkRun(ledger, run.run_id, 3);
    // Assert
    expect(chunks.map((chunk) => chunk.selector)).toEqual([{ ids: ids.slice(0, 2) }, { ids: ids.slice(2, 4) }, { ids: ids.slice(4) }]);
    expect(again).toEqual(chunks);
    expect((await ledger.run(run.run_id))?.state).toBe('chunked');
  });

  it('cuts a rebuild into key ranges that cover every key, open at both ends', async () => {
    // Prepare
    await sql`insert into public.source_documents (id, content) select ('00000000-0000-4000-8000-' || lpad(g::text, 12, '0'))::uuid, 'doc ' || g from generate_series(1, 7) g`;
    await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
              select id, encode(sha256(convert_to(content, 'UTF8')), 'hex'), 'test', array_fill(0.1::real, array[384])::extensions.vector from public.source_documents`;
    const run = await ledger.openRun({ sourceEventId: 'evt-chunk-rebuild', op: 'rebuild', indexName: 'documentsg1' });
    // Act
    const chunks = await chunkRun(ledger, run.run_id, 3);
    // Assert
    expect(chunks.map((chunk) => chunk.selector)).toEqual([
      { after: null, through: '00000000-0000-4000-8000-000000000003' },
      { after: '00000000-0000-4000-8000-000000000003', through: '00000000-0000-4000-8000-000000000006' },
      { after: '00000000-0000-4000-8000-000000000006', through: null },
    ]);
  });

  it('refuses an unknown run as permanent', async () => {
    await expect(chunkRun(ledger, '9f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f', 3)).rejects.toBeInstanceOf(LedgerRefusedError);
  });
});

describe('openRunForEvent', () => {
  const defaults = { bucket: 'vectors', dimension: 384, metric: 'cosine' } as const;
  const id = (n: number) => `00000000-0000-4000-8000-00000000020${n}`;

  it('opens one sync run per change batch, on the active generation, with its ids', async () => {
    // Prepare
    const data = await recordChangeBatch(sql, 'documents', [id(1), id(2), id(1)]);
    const event: RunSource = { id: data.batchId, type: 'vectorsync.changes.published', data };
    // Act
    const run = await openRunForEvent(ledger, event, defaults);
    const again = await openRunForEvent(ledger, event, defaults);
    // Assert
    expect(run).toMatchObject({ op: 'sync', index_name: 'documentsg1', ids_total: 2, requested_by: 'supabase.edge' });
    expect(again.run_id).toBe(run.run_id);
  });

  it('registers one new generation per rebuild event, shaped like the active one', async () => {
    // Prepare
    // One rebuild of an index at a time: the chunk test's rebuild run ends first.
    const earlier = await ledger.openRebuildOf('documents');
    if (earlier) await ledger.failRun(earlier.run_id, 'ended for this test');
    const event: RunSource = { id: 'evt-rebuild-1', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'documents', requestedBy: 'ops' } };
    // Act
    const run = await openRunForEvent(ledger, event, { ...defaults, dimension: 8 });
    await openRunForEvent(ledger, event, defaults);
    // Assert
    const [generation] = await sql`select state, dimension from vector_sync.indexes where index_name = ${generationName('documents', 'evt-rebuild-1')}`;
    expect(run).toMatchObject({ op: 'rebuild', index_name: generationName('documents', 'evt-rebuild-1'), requested_by: 'ops' });
    expect(generation).toEqual({ state: 'building', dimension: 384 });
    expect((await sql`select count(*)::int as n from vector_sync.indexes where logical_name = 'documents'`)[0]?.n).toBe(2);
  });

  it('refuses a second rebuild of an index while the first is running, naming it', async () => {
    // Prepare: the previous test's rebuild (evt-rebuild-1) is still open
    const second: RunSource = { id: 'evt-rebuild-2', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'documents', requestedBy: 'ops' } };
    const first: RunSource = { id: 'evt-rebuild-1', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'documents', requestedBy: 'ops' } };
    // Act / Assert: refused for good with the running run's id; no generation left behind; the first one's redelivery still finds its run
    const running = await ledger.openRebuildOf('documents');
    await expect(openRunForEvent(ledger, second, defaults)).rejects.toThrow(new RegExp(`already running \\(run ${running?.run_id ?? '?'}`, 'u'));
    await expect(openRunForEvent(ledger, second, defaults)).rejects.toBeInstanceOf(RebuildInProgressError);
    expect(await sql`select 1 from vector_sync.indexes where index_name = ${generationName('documents', 'evt-rebuild-2')}`).toHaveLength(0);
    expect((await openRunForEvent(ledger, first, defaults)).run_id).toBe(running?.run_id);
  });

  it('refuses a sync on an index that has no active generation as permanent', async () => {
    // Act
    const act = openRunForEvent(ledger, { id: 'evt-verify-x', type: 'vectorsync.run.requested', data: { op: 'verify', index: 'unknownindex', heal: true } }, defaults);
    // Assert
    await expect(act).rejects.toBeInstanceOf(NoActiveIndexError);
  });
});

describe('generationName', () => {
  it('keeps OSS index name rules for long logical names', () => {
    expect(generationName('a'.repeat(63), 'evt')).toMatch(/^a{52}r[0-9a-f]{10}$/u);
  });
});

describe('buildRunReport', () => {
  it('reads a finished run into the report: counts, rejections with examples, chunks, index statistics, validation', async () => {
    // Prepare
    const ids = ['00000000-0000-4000-8000-000000000301', '00000000-0000-4000-8000-000000000302', '00000000-0000-4000-8000-000000000303'];
    const run = await ledger.openRun({ sourceEventId: 'evt-report-1', op: 'sync', indexName: 'documentsg1', ids });
    await chunkRun(ledger, run.run_id, 10);
    await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: 'c-report', invokeId: 't-report', instanceId: 'i-local0001' });
    await sql`select vector_sync.record_rejection(${run.run_id}, 0, ${ids[2] ?? ''}, 'DimensionMismatch', 'has 383 values')`;
    await sql`select vector_sync.upsert_index_state('documentsg1', ${ids.slice(0, 2)}::text[], ${['a'.repeat(64), 'b'.repeat(64)]}::text[])`;
    await ledger.finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result: { upserted: 2, deleted: 0, skipped: 0, rejected: 1, failed: 0, validation: { sampled: 2, matched: 2 } } });
    await ledger.completeRun(run.run_id);
    // Act
    const report = await buildRunReport(ledger, run.run_id, 'https://archive.example/r.html');
    // Assert
    expect(report).toMatchObject({
      op: 'sync',
      trigger: 'manual',
      outcome: 'completed',
      counts: { received: 3, upserted: 2, rejected: 1, failed: 0 },
      rejections: [{ reason: 'DimensionMismatch', count: 1, examples: [ids[2]] }],
      chunks: [{ chunkNo: 0, state: 'succeeded', attempts: 1, instanceId: 'i-local0001', upserted: 2, rejected: 1 }],
      validation: { sampled: 2, matched: 2 },
      archiveUrl: 'https://archive.example/r.html',
    });
    expect(report.index.totalVectors).toBeGreaterThanOrEqual(2);
    expect(report.index.estimatedBytes).toBe(report.index.totalVectors * (384 * 4 + 36 + 64));
    expect(renderReport(report).subject).toBe('[vector-sync] ✓ sync documents (documentsg1): 2 upserted, 0 deleted, 1 rejected');
    // The index's health over the hour before the run finished.
    expect(report.health).toMatchObject({ logicalName: 'documents', indexName: 'documentsg1', until: report.finishedAt, rejections: [{ reason: 'DimensionMismatch', count: 1 }] });
    expect(Date.parse(report.health?.until ?? '') - Date.parse(report.health?.since ?? '')).toBe(60 * 60 * 1000);
    expect(report.health?.coverage.vectors).toBe(report.index.totalVectors);
    expect(renderReport(report).html).toContain('Index health');
  });
});

describe('Ledger health reads', () => {
  const doc = '00000000-0000-4000-8000-000000000501';

  it('reads index_health into IndexHealth, and refuses an unknown logical index', async () => {
    // Prepare
    const until = new Date();
    const since = new Date(until.getTime() - 10 * 60 * 1000);
    // Act
    const health = await ledger.indexHealth('documents', { since, until });
    // Assert
    expect(health).toMatchObject({ logicalName: 'documents', indexName: 'documentsg1', since: since.toISOString(), until: until.toISOString() });
    expect(health.series).toHaveLength(12);
    expect(health.series[0]?.start).toBe(since.toISOString());
    expect(health.coverage.documents).toBe(Number((await sql`select count(*) as n from public.source_documents`)[0]?.n));
    await expect(ledger.indexHealth('nothing', { since, until })).rejects.toThrow(LedgerRefusedError);
  });

  it('reads one document\'s status and the counts per status', async () => {
    // Prepare: a document the active generation holds with its current hash.
    await sql`insert into public.source_documents (id, content) values (${doc}, 'health doc')`;
    await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
              values (${doc}, encode(sha256(convert_to('health doc', 'UTF8')), 'hex'), 'test', array_fill(0.1::real, array[384])::extensions.vector)`;
    await sql`select pgmq.purge_queue('vector_sync')`;
    await sql`select vector_sync.upsert_index_state('documentsg1', ${[doc]}::text[], ${[createHash('sha256').update('health doc').digest('hex')]}::text[])`;
    // Act
    const [status] = await ledger.documentStatus(doc);
    const unknown = await ledger.documentStatus('no-such-document');
    const counts = await ledger.documentStatusCounts();
    // Assert
    expect(status).toMatchObject({ document_id: doc, status: 'indexed', index_name: 'documentsg1', logical_name: 'documents', reason: null });
    expect(status?.indexed_at).toBeInstanceOf(Date);
    expect(unknown).toEqual([]);
    expect(Object.keys(counts).sort()).toEqual(['deleted', 'failed', 'indexed', 'pending_embedding', 'pending_sync', 'rejected', 'unchanged']);
    expect(counts.indexed).toBeGreaterThanOrEqual(1);
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    expect(total).toBe(Number((await sql`select count(*) as n from vector_sync.document_status`)[0]?.n));
  });
});
