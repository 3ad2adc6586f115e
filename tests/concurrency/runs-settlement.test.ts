// Settling chunks and closing runs at the same instant: the last chunks of a run finishing
// together, collect-stats and reconcile both trying to announce a completion, a chunk settled by its
// worker while reconcile requeues it, two reconcile ticks at once, and two rebuilds switching the
// active generation at once. Each racer is one FC instance or worker (its own connection, the real
// domain code); each round asserts nothing is lost, doubled or left stuck.
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { CloudAssistantRequestError } from '../../shared/clients/cloud-assistant';
import type { PublishableEvent, PublishResult } from '../../shared/clients/eventbridge/EventPublisher';
import { EventType, RunCompletedDataSchema } from '../../shared/contracts';
import { collectStats } from '../../shared/domain/collect';
import type { CollectStatsResult } from '../../shared/domain/collect';
import type { LifecycleDeps, SettleResult } from '../../shared/domain/lifecycle';
import { requeueLostAttempt, settleChunkAttempt } from '../../shared/domain/lifecycle';
import { reconcile } from '../../shared/domain/reconcile';
import type { ReconcileDeps, ReconcileSummary } from '../../shared/domain/reconcile';
import { Ledger } from '../../shared/ledger';
import type { ChunkRow, IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../../ecs/context';
import { finalizeRebuild } from '../../ecs/jobs/write';
import { WorkerLedger } from '../../ecs/ledger';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { activeIndex, commandOf, LOGICAL, ledgersOf, quietLog, RecordingPublisher, rejections, syncRun } from './runsFixtures';

const ROUNDS = 25;
const RACERS = 6;
const counts = { upserted: 1, deleted: 0, skipped: 0, rejected: 0, failed: 0 };

/** Cloud Assistant that knows no invocation: reconcile takes every silent attempt as lost. */
const forgetfulCloud = {
  describeInvocationResults: async (): Promise<never> => {
    throw new CloudAssistantRequestError('the invocation is unknown', { code: 'InvalidInvokeId.NotFound', statusCode: 404 });
  },
};

/** A racer's publisher: the shared record, or (for `refuse`) a PutEvents that fails. */
function publisherOf(shared: RecordingPublisher, refuse: boolean): Pick<RecordingPublisher, 'publish'> {
  const refusing = new RecordingPublisher();
  refusing.failing = true;
  return { publish: (events: readonly PublishableEvent[]): Promise<PublishResult> => (refuse ? refusing.publish(events) : shared.publish(events)) };
}

describeOnServer('chunk settlement and run closing at once', () => {
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

  function lifecycle(i: number, publisher: Pick<RecordingPublisher, 'publish'>, maxChunkAttempts = 3): LifecycleDeps {
    // Rounds leave chunks in flight and waiting: a roomy cap keeps every round's own chunks announced.
    return { ledger: ledgers[i] as Ledger, publisher, log: quietLog(), maxChunkAttempts, maxChunksInFlight: 10_000 };
  }

  function reconciler(i: number, publisher: Pick<RecordingPublisher, 'publish'>, maxChunkAttempts = 3): ReconcileDeps {
    return { ...lifecycle(i, publisher, maxChunkAttempts), cloud: forgetfulCloud, settings: { runCommandTimeoutSeconds: 60, graceSeconds: 60, readyStaleSeconds: 60 } };
  }

  /** run.completed events published for a run. */
  function completions(publisher: RecordingPublisher, runId: string): PublishableEvent[] {
    return publisher.ofType(EventType.RunCompleted).filter((event) => RunCompletedDataSchema.parse(event.data).runId === runId);
  }

  it('closes a run once when its last chunks finish and their TaskCompleted arrive at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const tag = `fin${round}`;
      const run = await syncRun(ledger, tag, RACERS);
      // Every other round one chunk fails, so the run fails (still once).
      const succeeded = (i: number): boolean => round % 2 === 0 || i !== 0;
      // Act: each racer is a worker writing its chunk's result, then collect-stats on its TaskCompleted
      const results = await atOnce(db.sql, racers, async (_, i) => {
        await (ledgers[i] as Ledger).finishChunk({ runId: run.run_id, chunkNo: i, succeeded: succeeded(i), result: counts, ...(succeeded(i) ? {} : { error: 'boom' }) });
        return collectStats(lifecycle(i, publisher), { type: EventType.TaskCompleted, data: { commandId: commandOf(tag, i), instanceId: 'i-local0001', invocationStatus: succeeded(i) ? 'Success' : 'Failed', exitCode: succeeded(i) ? 0 : 1 } });
      });
      // Assert: the run is closed, by exactly one racer, and run.completed went out once
      expect(rejections(results), `round ${round}`).toEqual([]);
      const closed = fulfilled(results).filter((result) => result.closed !== undefined);
      const row = await ledger.run(run.run_id);
      expect(row, `round ${round}`).toMatchObject({ state: round % 2 === 0 ? 'completed' : 'failed', upserted: RACERS });
      expect(closed.length, `round ${round}`).toBe(1);
      expect(completions(publisher, run.run_id).length, `round ${round}`).toBe(1);
    }
  });

  it('closes a run once when its last chunks are settled and checked inside one transaction each', async () => {
    // Prepare: no handler does this today, but nothing forbids it; each closer's check then sees
    // only what had committed before it, which is where a run can be left open by everyone
    for (let round = 0; round < ROUNDS; round += 1) {
      const run = await syncRun(ledger, `tx${round}`, RACERS);
      // Act
      const results = await atOnce(db.sql, racers, (_, i) =>
        (ledgers[i] as Ledger).transaction(async (tx) => {
          await tx.finishChunk({ runId: run.run_id, chunkNo: i, succeeded: true, result: counts });
          return tx.completeRun(run.run_id);
        }),
      );
      // Assert: complete_run's run lock makes the last check wait for the others' commits
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(fulfilled(results).filter((row) => row.state === 'completed').length, `round ${round}`).toBeGreaterThanOrEqual(1);
      expect(await ledger.run(run.run_id), `round ${round}`).toMatchObject({ state: 'completed', upserted: RACERS });
    }
  });

  it('publishes a completion once when collect-stats and reconcile claim it at once, even when one publish fails', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    const runIds: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const tag = `claim${round}`;
      const run = await syncRun(ledger, tag, 2);
      for (const chunkNo of [0, 1]) await ledger.finishChunk({ runId: run.run_id, chunkNo, succeeded: true, result: counts });
      await ledger.completeRun(run.run_id);
      runIds.push(run.run_id);
      // Act: half the racers are collect-stats on a stats request, half are reconcile ticks; in odd
      // rounds the first collect-stats racer's PutEvents fails (it releases its claim)
      const results = await atOnce<CollectStatsResult | ReconcileSummary>(db.sql, racers, (_, i) => {
        const own = publisherOf(publisher, round % 2 === 1 && i === 0);
        if (i < RACERS / 2) return collectStats(lifecycle(i, own), { type: EventType.StatsRequested, data: { runId: run.run_id } });
        return reconcile(reconciler(i, own), { triggerTime: `2026-01-01T00:00:${String(round).padStart(2, '0')}Z` });
      });
      // Assert: at most one publish; without one, the claim is free again (nothing stuck)
      expect(rejections(results).filter((reason) => !reason.includes('were not published')), `round ${round}`).toEqual([]);
      const [row] = await db.sql<{ claimed: boolean; published: boolean }[]>`
        select completion_claimed_at is not null as claimed, completion_published_at is not null as published from vector_sync.runs where run_id = ${run.run_id}`;
      const sent = completions(publisher, run.run_id).length;
      expect(sent, `round ${round}`).toBeLessThanOrEqual(1);
      expect(row, `round ${round}`).toEqual(sent === 1 ? { claimed: true, published: true } : { claimed: false, published: false });
    }
    // A later reconcile tick publishes whatever a failed publish left, once.
    await reconcile(reconciler(0, publisher), { triggerTime: '2026-01-01T01:00:00Z' });
    expect(runIds.map((runId) => completions(publisher, runId).length)).toEqual(runIds.map(() => 1));
  });

  it('settles a chunk once when its worker finishes it while collect-stats and reconcile requeue it', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const tag = `req${round}`;
      const run = await syncRun(ledger, tag, 1);
      const seen = (await ledger.chunk(run.run_id, 0)) as ChunkRow;
      const command = commandOf(tag, 0);
      // Every other round the attempt is the last one allowed: a requeue fails the chunk instead.
      const maxChunkAttempts = round % 2 === 0 ? 3 : 1;
      // Act: racer 0 is the worker writing its result; the others hold the chunk as they read it
      // before (in flight) and requeue the attempt: collect-stats on a TaskCompleted, reconcile on a silence
      const results = await atOnce<ChunkRow | SettleResult>(db.sql, racers, (_, i) => {
        if (i === 0) return (ledgers[0] as Ledger).finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result: counts });
        if (i % 2 === 1) return settleChunkAttempt(lifecycle(i, publisher, maxChunkAttempts), seen, { commandId: command, status: 'Failed', exitCode: 1 });
        return requeueLostAttempt(lifecycle(i, publisher, maxChunkAttempts), seen, command, 'silent past its timeout');
      });
      // Assert: one consistent end, the attempt counted once, and nothing left without a way on
      const worker = results[0];
      const others = rejections(results.slice(1));
      expect(others, `round ${round}`).toEqual([]);
      const chunk = (await ledger.chunk(run.run_id, 0)) as ChunkRow;
      expect(chunk.attempts, `round ${round}`).toBe(1);
      const readySent = publisher.ofType(EventType.ChunkReady).filter((event) => event.id === `${run.run_id}-0-2`).length;
      if (chunk.state === 'succeeded') {
        expect(worker?.status, `round ${round}`).toBe('fulfilled');
        expect(chunk.result).toMatchObject(counts);
        expect(readySent).toBe(0);
      } else if (chunk.state === 'ready') {
        // Requeued first: the old attempt's late result is refused, the next attempt is announced.
        expect(maxChunkAttempts).toBe(3);
        expect(worker?.status === 'rejected' && String(worker.reason).includes('only a dispatched or running chunk can finish'), `round ${round}`).toBe(true);
        expect(chunk.command_id).toBeNull();
        expect(readySent).toBeGreaterThanOrEqual(1);
      } else {
        expect(chunk.state, `round ${round}`).toBe('failed');
        expect(maxChunkAttempts).toBe(1);
        expect(readySent).toBe(0);
      }
      const run2 = await ledger.run(run.run_id);
      const final = chunk.state === 'succeeded' || chunk.state === 'failed';
      expect(run2?.state, `round ${round}`).toBe(final ? (chunk.state === 'succeeded' ? 'completed' : 'failed') : 'dispatched');
      expect(completions(publisher, run.run_id).length, `round ${round}`).toBe(final ? 1 : 0);
    }
  });

  it('requeues each silent chunk, resends each stale planned chunk once and announces every waiting chunk when reconcile ticks run at once', async () => {
    // Prepare
    const publisher = new RecordingPublisher();
    for (let round = 0; round < ROUNDS; round += 1) {
      const silent = await syncRun(ledger, `sil${round}`, 3);
      // Planned (holding a slot) but never dispatched: the dispatch died after planning.
      const stuck = await syncRun(ledger, `stuck${round}`, 3, false);
      for (const chunkNo of [0, 1, 2]) await ledger.planChunkInstance({ runId: stuck.run_id, chunkNo, attempt: 1, instanceId: 'i-local0001', maxInFlight: 10_000 });
      // Waiting for a slot: its chunk.ready was never sent or was lost.
      const waiting = await syncRun(ledger, `wait${round}`, 3, false);
      await db.sql`update vector_sync.chunks set dispatched_at = now() - interval '1 hour' where run_id = ${silent.run_id}`;
      await db.sql`update vector_sync.chunks set updated_at = now() - interval '1 hour' where run_id in (${stuck.run_id}, ${waiting.run_id})`;
      const before = publisher.published.length;
      // Act
      const results = await atOnce(db.sql, racers, (_, i) => reconcile(reconciler(i, publisher), { triggerTime: `2026-01-02T00:00:${String(round).padStart(2, '0')}Z` }));
      // Assert: no tick had a problem; every silent chunk is back in ready after one attempt; every
      // stale planned chunk was resent by exactly one tick; every waiting chunk was announced
      const summaries = fulfilled(results);
      expect(summaries.flatMap((summary) => summary.errors), `round ${round}`).toEqual([]);
      const requeued = await ledger.chunks(silent.run_id);
      expect(requeued.map((chunk) => [chunk.state, chunk.attempts, chunk.command_id]), `round ${round}`).toEqual([0, 1, 2].map(() => ['ready', 1, null]));
      const sent = publisher.published.slice(before).filter((event) => event.type === EventType.ChunkReady).map((event) => event.id);
      expect(sent.filter((id) => id?.startsWith(stuck.run_id)).sort(), `round ${round}`).toEqual([0, 1, 2].map((n) => `${stuck.run_id}-${n}-1`));
      expect(new Set(sent.filter((id) => id?.startsWith(waiting.run_id))), `round ${round}`).toEqual(new Set([0, 1, 2].map((n) => `${waiting.run_id}-${n}-1`)));
      expect(new Set(sent.filter((id) => id?.startsWith(silent.run_id))), `round ${round}`).toEqual(new Set([0, 1, 2].map((n) => `${silent.run_id}-${n}-2`)));
    }
  });

  it('leaves one active generation, the others dropped, when two rebuilds finish at once', async () => {
    // Prepare
    const workers = racers.map((sql) => ({ ledger: new WorkerLedger(sql), oss: { deleteVectorIndex: async () => undefined }, log: quietLog() }) as unknown as WorkerContext);
    for (let round = 0; round < ROUNDS; round += 1) {
      const logical = `gen${round}`;
      const [old, a, b] = [`${logical}old`, `${logical}a`, `${logical}b`];
      for (const indexName of [old, a, b]) await ledger.registerIndex({ indexName, logicalName: logical, bucket: 'vectors', dimension: 4, metric: 'cosine' });
      await ledger.activateIndex(old);
      const loaded = new Map<string, IndexRow>();
      const runs = new Map<string, string>();
      for (const generation of [a, b]) {
        const run = await ledger.openRun({ sourceEventId: `rebuild-${generation}`, op: 'rebuild', indexName: generation });
        await ledger.addChunk(run.run_id, 0, { after: null, through: null });
        await ledger.markRunChunked(run.run_id, 1);
        await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: `c-${generation}`, invokeId: `t-${generation}`, instanceId: 'i-local0001' });
        await ledger.finishChunk({ runId: run.run_id, chunkNo: 0, succeeded: true, result: counts });
        loaded.set(generation, (await ledger.index(generation)) as IndexRow);
        runs.set(generation, run.run_id);
      }
      // Act: the workers of both rebuilds' last chunks (and their retries) switch generations together
      const results = await atOnce(db.sql, racers, (_, i) => {
        const generation = i % 2 === 0 ? a : b;
        return finalizeRebuild(workers[i] as WorkerContext, runs.get(generation) ?? '', loaded.get(generation) as IndexRow);
      });
      // Assert: a refusal only says the other rebuild switched first, never a unique violation;
      // one of the two is active and every other generation is dropped
      for (const reason of rejections(results)) expect(reason, `round ${round}`).toMatch(/is (retired|dropped); only a building index can be activated/u);
      const rows = await db.sql<{ index_name: string; state: string }[]>`select index_name, state from vector_sync.indexes where logical_name = ${logical} order by index_name`;
      const states = Object.fromEntries(rows.map((row) => [row.index_name, row.state]));
      expect(rows.filter((row) => row.state === 'active').length, `round ${round}: ${JSON.stringify(states)}`).toBe(1);
      expect(states[old], `round ${round}`).toBe('dropped');
      expect([states[a], states[b]].sort(), `round ${round}`).toEqual(['active', 'dropped']);
    }
    expect((await ledger.activeIndex(LOGICAL))?.state).toBe('active');
  });
});
