// validate and chunk against local Postgres (real migrations) and the EventBridge emulator with the
// project's routes: runs open once per event, refusals are parked once, chunks are announced once
// per attempt (dispatch: handlers-dispatch.test.ts).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { announceChunks } from '../../shared/domain/chunk';
import { acceptRun } from '../../shared/domain/validate';
import { selectorIds } from '../../shared/contracts';
import { recordChangeBatch } from '../helpers/changeBatches';
import { startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

const defaults = { bucket: 'local-vectors', dimension: 384, metric: 'cosine' as const };
let h: Harness | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  h = undefined;
});

function uuids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
}

async function activeIndex(harness: Harness): Promise<void> {
  await harness.ledger.registerIndex({ indexName: 'docsv1', logicalName: 'docs', ...defaults });
  await harness.ledger.activateIndex('docsv1');
}

/** The validate handler as its bundle runs it, with the harness's database and bus in its settings. */
async function bundledValidate(harness: Harness): Promise<(event: Buffer, context: unknown) => Promise<unknown>> {
  vi.stubEnv('SUPABASE_DB_URL', harness.pg.url);
  vi.stubEnv('EVENTBRIDGE_ENDPOINT', `http://${harness.bus.endpoint}`);
  vi.stubEnv('VECTOR_BUCKET', 'local-vectors');
  vi.resetModules();
  const { handler } = await import('../../functions/validate/index');
  return (event, context) => handler(event, context as never) as Promise<unknown>;
}

describe('validate (acceptRun)', () => {
  it('opens one run per event and announces it once even when the event comes twice', async () => {
    // Prepare
    h = await startHarness();
    await activeIndex(h);
    const data = await recordChangeBatch(h.sql, 'docs', uuids(500));
    const source = { id: data.batchId, type: 'vectorsync.changes.published' as const, data };
    const deps = { ledger: h.ledger, publisher: h.publisher, defaults };
    // Act
    const first = await acceptRun(deps, source);
    const second = await acceptRun(deps, source);
    await h.bus.idle();
    // Assess
    expect(second.runId).toBe(first.runId);
    expect((await h.ledger.run(first.runId))?.ids_total).toBe(500);
    expect(h.delivered('chunk').map((event) => event.id)).toEqual([`${first.runId}-accepted`, `${first.runId}-accepted`]);
    await h.ledger.markRunChunked(first.runId, 0);
    expect((await acceptRun(deps, source)).announced).toBe(false);
  }, 60_000);

  it('registers a first generation for a rebuild', async () => {
    // Prepare
    h = await startHarness();
    const deps = { ledger: h.ledger, publisher: h.publisher, defaults };
    // Act
    const rebuild = await acceptRun(deps, { id: 'r-2', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'docs' } });
    // Assert
    const [generation] = await h.sql`select logical_name, bucket, dimension, metric, state from vector_sync.indexes where index_name = ${rebuild.indexName}`;
    expect(generation).toEqual({ logical_name: 'docs', bucket: 'local-vectors', dimension: 384, metric: 'cosine', state: 'building' });
  }, 60_000);

  it('takes each event type only from its route\'s bus: a rebuild put on the changes bus, or changes on the pipeline bus, are parked and open nothing', async () => {
    // Prepare: what the changes publisher could put on the one bus it may write to.
    h = await startHarness();
    await activeIndex(h);
    const handler = await bundledValidate(h);
    const rebuild = { ...(JSON.parse(readFileSync('events/rebuild.json', 'utf8')) as Record<string, unknown>), id: 'sneaky-rebuild', aliyuneventbusname: 'vector-sync-changes' };
    const data = await recordChangeBatch(h.sql, 'docs', uuids(3));
    const changes = { ...(JSON.parse(readFileSync('events/changes-published.json', 'utf8')) as Record<string, unknown>), id: data.batchId, data, aliyuneventbusname: 'vector-sync' };
    // Act
    const answers = [await handler(Buffer.from(JSON.stringify(rebuild)), h.fcContext('validate')), await handler(Buffer.from(JSON.stringify(changes)), h.fcContext('validate'))];
    // Assert
    expect(answers).toEqual([
      expect.objectContaining({ status: 'parked', code: 'WrongRoute', reason: expect.stringContaining('takes it only from bus vector-sync:') }),
      expect.objectContaining({ status: 'parked', code: 'WrongRoute', reason: expect.stringContaining('takes it only from bus vector-sync-changes') }),
    ]);
    const runs = await h.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.runs`;
    const generations = await h.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.indexes`;
    expect(runs[0]?.n).toBe(0);
    expect(generations[0]?.n).toBe(1);
  }, 60_000);

  it('leaves no generation behind when the ledger refuses a rebuild (its event id already names a sync run)', async () => {
    // Prepare
    h = await startHarness();
    await activeIndex(h);
    const deps = { ledger: h.ledger, publisher: h.publisher, defaults };
    await acceptRun(deps, { id: 'reused-id', type: 'vectorsync.run.requested', data: { op: 'sync', index: 'docs', ids: uuids(2) } });
    // Act
    const refused = acceptRun(deps, { id: 'reused-id', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'docs' } });
    // Assess
    await expect(refused).rejects.toMatchObject({ code: '42710' });
    const generations = await h.sql<{ index_name: string; state: string }[]>`select index_name, state from vector_sync.indexes order by index_name`;
    expect(generations).toEqual([{ index_name: 'docsv1', state: 'active' }]);
  }, 60_000);

  it('parks a sync for an index without a generation, through the bundled pipeline', async () => {
    // Prepare
    h = await startHarness();
    const handler = await bundledValidate(h);
    const fixture = JSON.parse(readFileSync('events/sync.json', 'utf8')) as Record<string, unknown>;
    const event = { ...fixture, id: 'manual-sync-1', data: { op: 'sync', index: 'nothing', ids: uuids(2) } };
    // Act
    const answer = await handler(Buffer.from(JSON.stringify(event)), h.fcContext('validate'));
    // Assess
    expect(answer).toMatchObject({ status: 'parked', code: 'NoActiveIndexError' });
    const parked = await h.sql`select function_name, event_id, reason from vector_sync.parked_events`;
    expect(parked).toEqual([{ function_name: 'validate', event_id: 'manual-sync-1', reason: expect.stringContaining('nothing has no active generation') }]);
  }, 60_000);
});

describe('validate parks what it refuses, once, whatever the event holds', () => {
  it('parks a refused request once, counts the redelivery, and keeps only an excerpt, its size and digest', async () => {
    // Prepare: a request of 500 ids (about 20 KB) for an index with no generation.
    h = await startHarness();
    const handler = await bundledValidate(h);
    const fixture = JSON.parse(readFileSync('events/sync.json', 'utf8')) as { data: Record<string, unknown> };
    const event = { ...fixture, id: 'manual-sync-big', data: { ...fixture.data, op: 'sync', index: 'nothing', ids: uuids(500), requestedBy: 'ops@example.com' } };
    const bytes = Buffer.from(JSON.stringify(event));
    // Act
    const first = await handler(bytes, h.fcContext('validate'));
    const again = await handler(bytes, h.fcContext('validate'));
    // Assess
    expect(first).toMatchObject({ status: 'parked' });
    expect(again).toMatchObject({ status: 'parked' });
    const parked = await h.sql<{ event_id: string; repeats: number; excerpt_chars: number; event_bytes: number; event: unknown }[]>`
      select event_id, repeats, char_length(event_excerpt) as excerpt_chars, event_bytes, event from vector_sync.parked_events`;
    expect(parked).toEqual([{ event_id: 'manual-sync-big', repeats: 2, excerpt_chars: 2000, event_bytes: expect.any(Number), event: null }]);
    expect(parked[0]?.event_bytes).toBe(bytes.length);
  }, 60_000);

  it('refuses a request whose requestedBy holds a NUL character, once, instead of retrying it', async () => {
    // Prepare: jsonb and text refuse NUL, which once made parking itself fail, so EventBridge kept retrying.
    h = await startHarness();
    await activeIndex(h);
    const handler = await bundledValidate(h);
    const fixture = JSON.parse(readFileSync('events/sync.json', 'utf8')) as { data: Record<string, unknown> };
    const event = { ...fixture, id: 'manual-sync-nul-live', data: { ...fixture.data, op: 'sync', index: 'docs', ids: uuids(2), requestedBy: 'ops\u0000@example.com' } };
    // Act
    const answer = await handler(Buffer.from(JSON.stringify(event)), h.fcContext('validate'));
    // Assess: refused by the event's contract with a reason that names the field, never thrown for a retry.
    expect(answer).toMatchObject({ status: 'parked', code: 'EventInvalid', reason: expect.stringContaining('requestedBy must not contain control characters') });
    const parked = await h.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.parked_events where event_id is null or event_id = 'manual-sync-nul-live'`;
    const runs = await h.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.runs`;
    expect(parked[0]?.n).toBe(1);
    expect(runs[0]?.n).toBe(0);
  }, 60_000);

  it('parks junk without an id once per distinct body and counts the repeats', async () => {
    // Prepare
    h = await startHarness();
    const handler = await bundledValidate(h);
    const junk = [Buffer.from('{"oops": \u0000'), Buffer.from('not json at all \u0000 ' + 'y'.repeat(100_000)), Buffer.from('{"oops": \u0000')];
    // Act
    for (const body of junk) await handler(body, h.fcContext('validate'));
    // Assess
    const parked = await h.sql<{ repeats: number; excerpt_chars: number; sha: boolean }[]>`
      select repeats, char_length(event_excerpt) as excerpt_chars, event_sha256 is not null as sha from vector_sync.parked_events where event_id is null order by repeats desc`;
    expect(parked.map((row) => row.repeats)).toEqual([2, 1]);
    expect(parked.every((row) => row.sha && row.excerpt_chars <= 2000)).toBe(true);
  }, 60_000);
});

describe('chunk (announceChunks)', () => {
  it('cuts 1,200 ids into 3 chunks and announces only the ones still ready', async () => {
    // Prepare
    h = await startHarness();
    await activeIndex(h);
    const run = await h.ledger.openRun({ sourceEventId: 'evt-1200', op: 'sync', indexName: 'docsv1', ids: uuids(1200) });
    const deps = { ledger: h.ledger, publisher: h.publisher, maxIds: 500, maxChunksInFlight: 4 };
    // Act
    const first = await announceChunks(deps, run.run_id);
    await h.ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: 'c-x', invokeId: 't-x', instanceId: 'i-local0001' });
    const again = await announceChunks(deps, run.run_id);
    await h.bus.idle();
    // Assess
    expect(first).toEqual({ runId: run.run_id, chunks: 3, announced: 3 });
    expect(again).toEqual({ runId: run.run_id, chunks: 3, announced: 2 });
    expect((await h.ledger.chunks(run.run_id)).map((chunk) => selectorIds(chunk.selector)?.length)).toEqual([500, 500, 200]);
    expect(h.delivered('dispatch').map((event) => event.id)).toEqual([0, 1, 2, 1, 2].map((n) => `${run.run_id}-${n}-1`));
  }, 60_000);

  it('gives a rebuild of an empty table one open-ended chunk, so new rows still land', async () => {
    // Prepare
    h = await startHarness();
    const rebuild = await acceptRun({ ledger: h.ledger, publisher: h.publisher, defaults }, { id: 'r-empty', type: 'vectorsync.run.requested', data: { op: 'rebuild', index: 'docs' } });
    // Act
    const result = await announceChunks({ ledger: h.ledger, publisher: h.publisher, maxIds: 500, maxChunksInFlight: 4 }, rebuild.runId);
    await h.bus.idle();
    // Assess: an open-ended range always exists, so even an empty table has one chunk
    expect(result.chunks).toBe(1);
    expect(h.delivered('dispatch')).toHaveLength(1);
  }, 60_000);
});
