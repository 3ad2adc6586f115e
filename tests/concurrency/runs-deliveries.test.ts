// Duplicate deliveries at the same instant: EventBridge delivers at least once, and the copies of
// one event can reach several FC instances together. Each racer is one such instance (its own
// connection, the real domain function); every round asserts one run, one plan, one dispatch.
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { EventType } from '../../shared/contracts';
import { announceChunks } from '../../shared/domain/chunk';
import { dispatchChunk } from '../../shared/domain/dispatch';
import { RebuildInProgressError, acceptRun, generationName } from '../../shared/domain/validate';
import { Ledger } from '../../shared/ledger';
import { recordChangeBatch } from '../helpers/changeBatches';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { activeIndex, bundleStore, GENERATION, idsFor, ledgersOf, LOGICAL, quietLog, RecordingPublisher, rejections, syncRun, TokenCloud } from './runsFixtures';

const ROUNDS = 25;
const RACERS = 6;
const defaults = { bucket: 'vectors', dimension: 4, metric: 'cosine' } as const;

describeOnServer('duplicate run and chunk deliveries at once', () => {
  const db = useConcurrencyDatabase();
  let racers: Sql[] = [];
  let ledgers: Ledger[] = [];
  let ledger: Ledger;

  beforeAll(async () => {
    racers = await db.clients(RACERS);
    ledgers = ledgersOf(racers);
    ledger = new Ledger(db.sql);
    await activeIndex(ledger);
  });

  it('opens one run per changes event when its copies reach validate at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const data = await recordChangeBatch(db.sql, LOGICAL, idsFor(`chg${round}`, 3));
      const id = data.batchId;
      // Act
      const results = await atOnce(db.sql, racers, (_, i) =>
        acceptRun({ ledger: ledgers[i] as Ledger, publisher, defaults }, { id, type: EventType.ChangesPublished, data }),
      );
      // Assert: every copy answers the same run; one row and one set of items exist
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(new Set(fulfilled(results).map((result) => result.runId)).size).toBe(1);
      const [row] = await db.sql<{ runs: number; items: number }[]>`
        select count(distinct r.run_id)::int as runs, count(i.document_id)::int as items
        from vector_sync.runs as r left join vector_sync.run_items as i on i.run_id = r.run_id
        where r.source_event_id = ${id}`;
      expect(row, `round ${round}`).toEqual({ runs: 1, items: 3 });
    }
  });

  it('opens one run per change batch when events with different ids name it at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const data = await recordChangeBatch(db.sql, LOGICAL, idsFor(`twin${round}`, 4));
      // Act: each racer delivers its own event for the one batch (a forged or re-sent copy)
      const results = await atOnce(db.sql, racers, (_, i) =>
        acceptRun({ ledger: ledgers[i] as Ledger, publisher, defaults }, { id: `${data.batchId}-copy-${i}`, type: EventType.ChangesPublished, data }),
      );
      // Assert: all answer the one run of the batch, which holds the batch's ids once
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(new Set(fulfilled(results).map((result) => result.runId)).size).toBe(1);
      const [row] = await db.sql<{ runs: number; items: number }[]>`
        select count(distinct r.run_id)::int as runs, count(i.document_id)::int as items
        from vector_sync.runs as r left join vector_sync.run_items as i on i.run_id = r.run_id
        where r.batch_id = ${data.batchId}`;
      expect(row, `round ${round}`).toEqual({ runs: 1, items: 4 });
    }
  });

  it('registers one generation and opens one run per rebuild request when its copies arrive at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = `rebuild-${round}`;
      // Act
      const results = await atOnce(db.sql, racers, (_, i) =>
        acceptRun({ ledger: ledgers[i] as Ledger, publisher, defaults }, { id, type: EventType.RunRequested, data: { op: 'rebuild', index: LOGICAL } }),
      );
      // Assert
      expect(rejections(results), `round ${round}`).toEqual([]);
      const answers = fulfilled(results);
      expect(new Set(answers.map((result) => result.runId)).size).toBe(1);
      expect(new Set(answers.map((result) => result.indexName))).toEqual(new Set([generationName(LOGICAL, id)]));
      const [row] = await db.sql<{ runs: number; generations: number }[]>`
        select (select count(*)::int from vector_sync.runs where source_event_id = ${id}) as runs,
               (select count(*)::int from vector_sync.indexes where index_name = ${generationName(LOGICAL, id)} and state = 'building') as generations`;
      expect(row, `round ${round}`).toEqual({ runs: 1, generations: 1 });
      // Finished (here: failed) before the next round: one rebuild of an index runs at a time.
      await ledger.failRun(answers[0]?.runId ?? '', 'ended by the test');
    }
    expect((await ledger.activeIndex(LOGICAL))?.index_name).toBe(GENERATION);
  });

  it('opens one rebuild and refuses the others when rebuilds of one index are requested at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      // Act: six different requests (six operators) for a rebuild of the same index
      const results = await atOnce(db.sql, racers, (_, i) =>
        acceptRun({ ledger: ledgers[i] as Ledger, publisher, defaults }, { id: `many-rebuilds-${round}-${i}`, type: EventType.RunRequested, data: { op: 'rebuild', index: LOGICAL } }),
      );
      // Assert: one run, five clear refusals naming it, no generation of a refused request
      const answers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(answers, `round ${round}`).toHaveLength(1);
      const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      expect(refusals.every((reason) => reason instanceof RebuildInProgressError && reason.message.includes(answers[0]?.runId ?? '?')), `round ${round}`).toBe(true);
      const [row] = await db.sql<{ building: number }[]>`
        select count(*)::int as building from vector_sync.indexes where index_name like ${`${LOGICAL}r%`} and state = 'building'
          and index_name in (select index_name from vector_sync.runs where source_event_id like ${`many-rebuilds-${round}-%`})`;
      expect(row?.building, `round ${round}`).toBe(1);
      await ledger.failRun(answers[0]?.runId ?? '', 'ended by the test');
    }
  });

  it('cuts a run into chunks once when its run.accepted copies reach chunk at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const run = await ledger.openRun({ sourceEventId: `cut-${round}`, op: 'sync', indexName: GENERATION, ids: idsFor(`cut${round}`, 5) });
      // Act
      const results = await atOnce(db.sql, racers, (_, i) => announceChunks({ ledger: ledgers[i] as Ledger, publisher, maxIds: 2, maxChunksInFlight: 4 }, run.run_id));
      // Assert: no copy fails (a deadlock or a refusal would be retried or parked), one plan of three chunks
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(fulfilled(results).map((result) => result.chunks)).toEqual(Array(RACERS).fill(3));
      const chunks = await ledger.chunks(run.run_id);
      expect(chunks.map((chunk) => chunk.state)).toEqual(['ready', 'ready', 'ready']);
      expect(await ledger.run(run.run_id)).toMatchObject({ state: 'chunked', chunk_count: 3 });
    }
  });

  it('adds each chunk once and marks the run chunked once when the same calls run at once', async () => {
    // Prepare
    for (let round = 0; round < ROUNDS; round += 1) {
      const ids = idsFor(`add${round}`, 2);
      const run = await ledger.openRun({ sourceEventId: `add-${round}`, op: 'sync', indexName: GENERATION, ids });
      // Act: each racer records the whole plan with single statements (no transaction around them)
      const results = await atOnce(db.sql, racers, async (_, i) => {
        const own = ledgers[i] as Ledger;
        await own.addChunk(run.run_id, 0, { ids: [ids[0] ?? ''] });
        await own.addChunk(run.run_id, 1, { ids: [ids[1] ?? ''] });
        return own.markRunChunked(run.run_id, 2);
      });
      // Assert
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(new Set(fulfilled(results).map((row) => `${row.state} ${row.chunk_count} ${row.chunked_at?.toISOString()}`)).size).toBe(1);
      expect((await ledger.chunks(run.run_id)).length).toBe(2);
    }
  });

  it('starts one RunCommand per chunk when its chunk.ready copies reach dispatch at once', async () => {
    // Prepare
    const instanceIds = ['i-local0001', 'i-local0002', 'i-local0003'];
    for (let round = 0; round < ROUNDS; round += 1) {
      const run = await syncRun(ledger, `disp${round}`, 2, false);
      // Every other round two of the three instances are stopped: the copies move on together.
      const cloud = new TokenCloud(new Set(round % 2 === 1 ? ['i-local0001', 'i-local0002'] : []));
      const deps = (i: number) => ({ ledger: ledgers[i] as Ledger, cloudAssistant: cloud, bundle: { store: bundleStore, prefix: 'workers/', version: '1.0.0' }, instanceIds, timeoutSeconds: 60, maxChunksInFlight: 10_000, log: quietLog() });
      // Act: the copies of chunk 0's chunk.ready, and chunk 1's single delivery beside them
      const results = await atOnce(db.sql, racers, (_, i) => dispatchChunk(deps(i), { runId: run.run_id, chunkNo: i === 0 ? 1 : 0 }));
      // Assert: every copy answers dispatched (the same command) or skipped; one invocation per chunk
      expect(rejections(results), `round ${round}`).toEqual([]);
      const zero = fulfilled(results).slice(1);
      expect(new Set(zero.flatMap((result) => (result.status === 'dispatched' ? [result.commandId] : []))).size, `round ${round}`).toBe(1);
      expect(cloud.invocations.size, `round ${round}: ${[...cloud.invocations.values()].map((inv) => inv.instanceId).join(', ')}`).toBe(2);
      const chunks = await ledger.chunks(run.run_id);
      expect(chunks.map((chunk) => [chunk.state, chunk.attempts])).toEqual([['dispatched', 1], ['dispatched', 1]]);
      if (round % 2 === 1) expect(chunks.map((chunk) => chunk.instance_id)).toEqual(['i-local0003', 'i-local0003']);
      expect(new Set(chunks.map((chunk) => chunk.command_id))).toEqual(new Set([...cloud.invocations.values()].map((inv) => inv.commandId)));
    }
  });

  it('parks one row when the same refused event is parked at once', async () => {
    // Prepare
    for (let round = 0; round < ROUNDS; round += 1) {
      const eventId = `bad-${round}`;
      // Act
      const results = await atOnce(db.sql, racers, (_, i) =>
        (ledgers[i] as Ledger).parkEvent({ functionName: 'dispatch', eventId, eventType: EventType.ChunkReady, runId: null, code: 'Invalid', reason: `refused by racer ${i}`, event: { id: eventId } }),
      );
      // Assert
      expect(rejections(results), `round ${round}`).toEqual([]);
      const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from vector_sync.parked_events where function_name = 'dispatch' and event_id = ${eventId}`;
      expect(row?.n, `round ${round}`).toBe(1);
    }
  });
});
