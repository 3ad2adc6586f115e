// reconcile against the local Postgres (real migrations), the EventBridge emulator and the Cloud
// Assistant emulator: silent chunks, runs whose close was lost, lost chunk.ready events, lost run
// completions, the summary.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCloudAssistantClient } from '../../shared/clients/cloud-assistant';
import type { CloudAssistantClient } from '../../shared/clients/cloud-assistant';
import { reconcile } from '../../shared/domain/reconcile';
import type { ReconcileDeps } from '../../shared/domain/reconcile';
import { fixture } from '../helpers/fixtures';
import { chunkResult, commandIdOf, dispatchedRun, fcRole, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

let h: Harness;
let cloud: CloudAssistantClient;
const tick = { triggerTime: '2026-11-22T10:20:00Z' };

beforeAll(async () => {
  h = await startHarness({ ecs: true });
  cloud = createCloudAssistantClient({ endpoint: h.ecs?.endpoint ?? '', regionId: h.bus.region, ...fcRole });
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.sql`truncate vector_sync.runs cascade`;
});

function deps(maxChunkAttempts = 3): ReconcileDeps {
  return {
    ledger: h.ledger, publisher: h.publisher, log: h.log, maxChunkAttempts, maxChunksInFlight: 4, cloud,
    settings: { runCommandTimeoutSeconds: 10, graceSeconds: 0, readyStaleSeconds: 60 },
  };
}

function eventsFor(functionName: string, runId: string): Record<string, any>[] {
  return h.delivered(functionName).filter((event) => event.data?.runId === runId);
}

/** Puts a real invocation of `script` behind chunk 0 of the run and makes the chunk look silent. */
async function withInvocation(runId: string, script: string): Promise<{ commandId: string; invokeId: string }> {
  await h.ledger.requeueChunk(runId, 0, 'replaced by a real invocation', 5);
  const { commandId, invokeId } = await cloud.runCommand({ instanceIds: ['i-local0001'], script, timeoutSeconds: 60, name: 'vectorsync-chunk' });
  await h.ledger.markChunkDispatched({ runId, chunkNo: 0, commandId, invokeId, instanceId: 'i-local0001' });
  await h.sql`update vector_sync.chunks set dispatched_at = now() - interval '1 hour' where run_id = ${runId}`;
  return { commandId, invokeId };
}

describe('reconcile', () => {
  it('requeues a dispatched chunk whose invocation finished without writing its result', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'quiet', 1);
    const { invokeId } = await withInvocation(runId, 'echo crashed before the ledger write; exit 0');
    await h.ecs?.waitForInvocation(invokeId);
    // Act
    const summary = await reconcile(deps(), tick);
    await h.bus.idle();
    // Assess
    expect(summary.silent).toMatchObject({ checked: 1, requeued: 1 });
    const chunk = await h.ledger.chunk(runId, 0);
    expect(chunk).toMatchObject({ state: 'ready', attempts: 2 });
    expect(chunk?.error).toMatch(/ended Success with exit code 0 without writing its result/);
    expect(eventsFor('dispatch', runId)).toEqual([expect.objectContaining({ id: `${runId}-0-3`, data: { runId, chunkNo: 0 } })]);
  });

  it('requeues a chunk whose command still runs past its timeout', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'slow', 1);
    await withInvocation(runId, 'sleep 30');
    // Act
    const summary = await reconcile(deps(), tick);
    await h.bus.idle();
    // Assess
    expect(summary.silent).toMatchObject({ checked: 1, requeued: 1 });
    const chunk = await h.ledger.chunk(runId, 0);
    expect(chunk?.state).toBe('ready');
    expect(chunk?.error).toMatch(/still Running past its timeout of 10 s/);
    expect(eventsFor('dispatch', runId)).toHaveLength(1);
  });

  it('fails a chunk whose invocation Cloud Assistant does not know once its attempts are used up, and publishes the failed run', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'ghost', 1);
    await h.sql`update vector_sync.chunks set dispatched_at = now() - interval '1 hour' where run_id = ${runId}`;
    // Act
    const summary = await reconcile(deps(1), tick);
    await h.bus.idle();
    // Assess
    expect(summary.silent).toMatchObject({ checked: 1, failed: 1 });
    expect((await h.ledger.chunk(runId, 0))?.error).toMatch(/unknown to Cloud Assistant/);
    expect(eventsFor('notify', runId)).toEqual([expect.objectContaining({ id: `${runId}-completed`, data: { runId, outcome: 'failed' } })]);
  });

  it('publishes a completion that was never published, once', async () => {
    // Prepare
    await h.ledger.registerIndex({ indexName: 'docsg1', logicalName: 'docs', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    const run = await h.ledger.openRun({ sourceEventId: 'evt-lost-completion', op: 'verify', indexName: 'docsg1' });
    await h.ledger.markRunChunked(run.run_id, 0);
    await h.ledger.completeRun(run.run_id);
    // Act
    const first = await reconcile(deps(), tick);
    const second = await reconcile(deps(), tick);
    await h.bus.idle();
    // Assess
    expect(first.completionsPublished).toBe(1);
    expect(second.completionsPublished).toBe(0);
    expect(eventsFor('notify', run.run_id)).toEqual([expect.objectContaining({ id: `${run.run_id}-completed`, data: { runId: run.run_id, outcome: 'completed' } })]);
  });

  it('closes and reports, once, a run whose chunks all finished but whose close was lost', async () => {
    // Prepare: the worker recorded both chunks, then the TaskCompleted hand-offs were lost (no
    // collect-stats ran); and a run with nothing to do whose stats request was lost.
    const runId = await dispatchedRun(h, 'lostclose', 2);
    for (const chunkNo of [0, 1]) await h.ledger.finishChunk({ runId, chunkNo, succeeded: true, result: chunkResult, commandId: commandIdOf('lostclose', chunkNo) });
    const empty = await h.ledger.openRun({ sourceEventId: 'evt-lostclose-empty', op: 'verify', indexName: 'docsg1' });
    await h.ledger.markRunChunked(empty.run_id, 0);
    await h.sql`update vector_sync.chunks set finished_at = now() - interval '1 minute' where run_id = ${runId}`;
    await h.sql`update vector_sync.runs set chunked_at = now() - interval '1 minute' where run_id = ${empty.run_id}`;
    // Act
    const first = await reconcile(deps(), tick);
    const second = await reconcile(deps(), tick);
    await h.bus.idle();
    // Assess: both closed by the first tick, each completion published once
    expect(first.closed).toBe(2);
    expect(second.closed).toBe(0);
    expect(await h.ledger.run(runId)).toMatchObject({ state: 'completed', upserted: 2 });
    expect((await h.ledger.run(empty.run_id))?.state).toBe('completed');
    expect(eventsFor('notify', runId)).toEqual([expect.objectContaining({ id: `${runId}-completed`, data: { runId, outcome: 'completed' } })]);
    expect(eventsFor('notify', empty.run_id)).toHaveLength(1);
  });

  it('retires a generation a failed rebuild left building, once, and leaves one an open rebuild builds', async () => {
    // Prepare: two rebuilds of index "abandon": the first failed, the second still runs.
    await h.ledger.registerIndex({ indexName: 'abandong1', logicalName: 'abandon', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    await h.ledger.activateIndex('abandong1');
    await h.ledger.registerIndex({ indexName: 'abandong2', logicalName: 'abandon', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    const failed = await h.ledger.openRun({ sourceEventId: 'evt-abandon-failed', op: 'rebuild', indexName: 'abandong2' });
    await h.ledger.failRun(failed.run_id, 'a chunk failed for good');
    await h.ledger.registerIndex({ indexName: 'abandong3', logicalName: 'abandon', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    await h.ledger.openRun({ sourceEventId: 'evt-abandon-open', op: 'rebuild', indexName: 'abandong3' });
    await h.sql`update vector_sync.runs set failed_at = now() - interval '1 minute' where run_id = ${failed.run_id}`;
    await h.sql`update vector_sync.indexes set created_at = now() - interval '1 minute' where logical_name = 'abandon'`;
    // Act
    const first = await reconcile(deps(), tick);
    const second = await reconcile(deps(), tick);
    // Assert
    expect(first.retired).toBe(1);
    expect(second.retired).toBe(0);
    const states = await h.sql<{ index_name: string; state: string }[]>`select index_name, state from vector_sync.indexes where logical_name = 'abandon' order by index_name`;
    expect(states).toEqual([
      { index_name: 'abandong1', state: 'active' },
      { index_name: 'abandong2', state: 'retired' },
      { index_name: 'abandong3', state: 'building' },
    ]);
  });

  it('leaves a run alone while one of its chunks is still in flight', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'halfdone', 2);
    await h.ledger.finishChunk({ runId, chunkNo: 0, succeeded: true, result: chunkResult, commandId: commandIdOf('halfdone', 0) });
    await h.sql`update vector_sync.chunks set finished_at = now() - interval '1 minute' where run_id = ${runId} and chunk_no = 0`;
    // Act
    const summary = await reconcile(deps(), tick);
    // Assess
    expect(summary.closed).toBe(0);
    expect((await h.ledger.run(runId))?.state).toBe('dispatched');
  });

  it('announces a waiting chunk whose chunk.ready was lost once a slot is free, and nudges collect-stats for the runs it touched', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'lost', 2);
    await h.ledger.requeueChunk(runId, 1, 'made ready for the test', 5);
    // Act
    const summary = await reconcile(deps(), tick);
    await h.bus.idle();
    // Assess
    expect(summary).toEqual({
      triggerTime: tick.triggerTime,
      silent: { checked: 0, requeued: 0, failed: 0, finished: 0, stale: 0 },
      closed: 0,
      readyResent: 0,
      announced: 1,
      completionsPublished: 0,
      retired: 0,
      nudged: 1,
      problems: 0,
      errors: [],
    });
    expect(eventsFor('dispatch', runId)).toEqual([expect.objectContaining({ id: `${runId}-1-2` })]);
    expect(eventsFor('collect-stats', runId)).toEqual([expect.objectContaining({ id: `${runId}-stats-20261122102000`, type: 'vectorsync.stats.requested', data: { runId } })]);
  });

  it('leaves a waiting chunk alone while every slot is taken', async () => {
    // Prepare: chunk 0 is in flight and holds the only slot
    const runId = await dispatchedRun(h, 'full', 2);
    await h.ledger.requeueChunk(runId, 1, 'made ready for the test', 5);
    // Act
    const summary = await reconcile({ ...deps(), maxChunksInFlight: 1 }, tick);
    await h.bus.idle();
    // Assess
    expect(summary).toMatchObject({ readyResent: 0, announced: 0, nudged: 0 });
    expect(eventsFor('dispatch', runId)).toEqual([]);
  });

  it('publishes chunk.ready again, once per waiting period, for a chunk whose dispatch died after taking its slot', async () => {
    // Prepare: chunk 1's next attempt was planned (its slot taken), then nothing was recorded
    const runId = await dispatchedRun(h, 'died', 2);
    await h.ledger.requeueChunk(runId, 1, 'made ready for the test', 5);
    await h.ledger.planChunkInstance({ runId, chunkNo: 1, attempt: 2, instanceId: 'i-local0001', maxInFlight: 4 });
    await h.sql`update vector_sync.chunks set updated_at = now() - interval '1 hour' where run_id = ${runId} and chunk_no = 1`;
    // Act
    const first = await reconcile(deps(), tick);
    const second = await reconcile(deps(), { triggerTime: '2026-11-22T10:22:00Z' });
    await h.bus.idle();
    // Assess
    expect(first).toMatchObject({ readyResent: 1, announced: 0, nudged: 1 });
    expect(second).toMatchObject({ readyResent: 0, announced: 0, nudged: 0 });
    expect(eventsFor('dispatch', runId)).toEqual([expect.objectContaining({ id: `${runId}-1-2` })]);
  });
});

describe('reconcile handler', () => {
  it('answers the tick summary for a timer event delivered as a Buffer', async () => {
    // Prepare
    vi.resetModules();
    const env = {
      SUPABASE_DB_URL: h.pg.url, EVENTBRIDGE_ENDPOINT: `http://${h.bus.endpoint}`, EVENT_BUS_NAME: 'vector-sync', ECS_REGION_ID: h.bus.region,
      ECS_ENDPOINT: `http://${h.ecs?.endpoint ?? ''}`, ECS_INSTANCE_IDS: 'i-local0001', RUN_COMMAND_TIMEOUT_SECONDS: '10', RECONCILE_GRACE_SECONDS: '0', LOG_LEVEL: 'warn',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = await import('../../functions/reconcile/index');
    const runId = await dispatchedRun(h, 'timer', 1);
    await h.sql`update vector_sync.chunks set dispatched_at = now() - interval '1 hour' where run_id = ${runId}`;
    // Act
    const summary = await handler(Buffer.from(JSON.stringify(fixture('reconcile-timer.json'))), h.fcContext('reconcile'));
    await h.bus.idle();
    // Assess
    expect(summary).toMatchObject({ triggerTime: '2026-11-22T10:20:00Z', silent: { checked: 1, requeued: 1 }, nudged: 1, problems: 0 });
    expect(eventsFor('dispatch', runId)).toHaveLength(1);
  });

  it('parks a timer event that is not one', async () => {
    // Prepare
    vi.resetModules();
    vi.stubEnv('SUPABASE_DB_URL', h.pg.url);
    const { handler } = await import('../../functions/reconcile/index');
    // Act
    const result = await handler(Buffer.from(JSON.stringify({ triggerName: 'reconcile-timer' })), h.fcContext('reconcile'));
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'EventInvalid', reason: expect.stringMatching(/triggerTime: is missing/) });
  });
});
