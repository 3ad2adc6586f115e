// collect-stats against the local Postgres (real migrations) and the EventBridge emulator: settles
// chunk attempts, closes runs and publishes run.completed exactly once.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectStats } from '../../shared/domain/collect';
import type { LifecycleDeps } from '../../shared/domain/lifecycle';
import type { TaskCompletedData } from '../../shared/contracts';
import { TransientError } from '../../shared/errors';
import { fixture } from '../helpers/fixtures';
import { chunkResult, commandIdOf, dispatchedRun, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

beforeEach(() => {
  h.logLines.length = 0;
});

function deps(maxChunkAttempts = 3): LifecycleDeps {
  // The tests share one ledger and leave chunks in flight: a roomy cap keeps the pool open.
  return { ledger: h.ledger, publisher: h.publisher, log: h.log, maxChunkAttempts, maxChunksInFlight: 100 };
}

function taskCompleted(tag: string, chunkNo: number, status: TaskCompletedData['invocationStatus'] = 'Success', exitCode = 0): { type: 'ecs:CloudAssistant:TaskCompleted'; data: TaskCompletedData } {
  return { type: 'ecs:CloudAssistant:TaskCompleted', data: { commandId: commandIdOf(tag, chunkNo), commandName: 'vectorsync-chunk', instanceId: 'i-local0001', invokeId: `t-${tag}x${chunkNo}`, invocationStatus: status, exitCode } };
}

function eventsFor(functionName: string, runId: string): Record<string, any>[] {
  return h.delivered(functionName).filter((event) => event.data?.runId === runId);
}

describe('collectStats', () => {
  it('publishes run.completed exactly once when the last chunk finishes, even for racing duplicate TaskCompleted', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'race', 3);
    for (const chunkNo of [0, 1, 2]) await h.ledger.finishChunk({ runId, chunkNo, succeeded: true, result: chunkResult, commandId: commandIdOf('race', chunkNo) });
    const deliveries = [0, 1, 2].flatMap((chunkNo) => [taskCompleted('race', chunkNo), taskCompleted('race', chunkNo)]);
    // Act
    const results = await Promise.all(deliveries.map((input) => collectStats(deps(), input)));
    await h.bus.idle();
    // Assess
    const completed = eventsFor('notify', runId);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ id: `${runId}-completed`, source: 'vectorsync.pipeline', type: 'vectorsync.run.completed', subject: `runs/${runId}`, data: { runId, outcome: 'completed' } });
    expect(results.filter((result) => result.closed === 'completed')).toHaveLength(1);
    expect((await h.ledger.run(runId))?.state).toBe('completed');
    const closedLines = h.logLines.map((line) => JSON.parse(line)).filter((line) => line.message === 'run closed');
    expect(closedLines).toEqual([expect.objectContaining({ runId, outcome: 'completed', counts: expect.objectContaining({ upserted: 3 }), chunks: 3 })]);
  });

  it('requeues a chunk whose attempt failed before writing its result and publishes chunk.ready again', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'exit1', 2);
    // Act
    const result = await collectStats(deps(), taskCompleted('exit1', 1, 'Failed', 1));
    await h.bus.idle();
    // Assess
    expect(result).toMatchObject({ runId, chunkNo: 1, action: 'requeued' });
    const chunk = await h.ledger.chunk(runId, 1);
    expect(chunk).toMatchObject({ state: 'ready', attempts: 1, command_id: null });
    expect(chunk?.error).toMatch(/ended Failed with exit code 1/);
    expect(eventsFor('dispatch', runId)).toEqual([expect.objectContaining({ id: `${runId}-1-2`, type: 'vectorsync.chunk.ready', data: { runId, chunkNo: 1 } })]);
    expect(eventsFor('notify', runId)).toEqual([]);
  });

  it.each(['Aborted', 'Invalid', 'Error', 'Cancelled', 'Terminated', 'Stopped'] as const)('requeues an attempt that ended %s (never ran, or stopped) with the status in its reason', async (status) => {
    // Prepare
    const tag = `st${status.toLowerCase()}`;
    const runId = await dispatchedRun(h, tag, 1);
    // Act: Cloud Assistant reports -1 as the exit code of a run that never started.
    const result = await collectStats(deps(), taskCompleted(tag, 0, status, -1));
    // Assert
    expect(result).toMatchObject({ runId, chunkNo: 0, action: 'requeued' });
    const chunk = await h.ledger.chunk(runId, 0);
    expect(chunk).toMatchObject({ state: 'ready', attempts: 1, command_id: null });
    expect(chunk?.error).toContain(`ended ${status}`);
  });

  it('ignores a second delivery of the failed attempt once the chunk was requeued', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'again', 1);
    await collectStats(deps(), taskCompleted('again', 0, 'Failed', 1));
    // Act
    const second = await collectStats(deps(), taskCompleted('again', 0, 'Failed', 1));
    await h.bus.idle();
    // Assess
    expect(second).toEqual({ action: 'ignored' });
    expect(eventsFor('dispatch', runId)).toHaveLength(1);
    expect(h.logLines.some((line) => line.includes('not ours or a stale attempt'))).toBe(true);
  });

  it('fails the chunk and the run when the attempts are used up, and publishes run.completed with outcome failed', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'spent', 1);
    // Act
    const result = await collectStats(deps(1), taskCompleted('spent', 0, 'Timeout', 137));
    await h.bus.idle();
    // Assess
    expect(result).toMatchObject({ action: 'failed', closed: 'failed' });
    expect(await h.ledger.run(runId)).toMatchObject({ state: 'failed' });
    expect(eventsFor('notify', runId)).toEqual([expect.objectContaining({ id: `${runId}-completed`, data: { runId, outcome: 'failed' } })]);
    expect(eventsFor('dispatch', runId)).toEqual([]);
  });

  it('asks for a TaskCompleted again when it beats dispatch to the ledger, and settles it once the command is recorded', async () => {
    // Prepare: dispatch planned the attempt on i-local0001 and RunCommand answered, but the command
    // id is not recorded yet; an agent that is offline answers Aborted at once.
    await h.ledger.registerIndex({ indexName: 'docsg1', logicalName: 'docs', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    const run = await h.ledger.openRun({ sourceEventId: 'evt-early', op: 'sync', indexName: 'docsg1', ids: ['doc-early-0'] });
    await h.ledger.addChunk(run.run_id, 0, { ids: ['doc-early-0'] });
    await h.ledger.markRunChunked(run.run_id, 1);
    await h.ledger.planChunkInstance({ runId: run.run_id, chunkNo: 0, attempt: 1, instanceId: 'i-local0001', maxInFlight: 100 });
    const early = taskCompleted('early', 0, 'Aborted', -1);
    // Act
    const first = await collectStats(deps(), early).then((result) => result, (error: unknown) => error);
    await h.ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: commandIdOf('early', 0), invokeId: 't-earlyx0', instanceId: 'i-local0001' });
    const redelivered = await collectStats(deps(), early);
    // Assert: retried (transient), not ignored; the redelivery requeues the attempt
    expect(first).toBeInstanceOf(TransientError);
    expect(first).toMatchObject({ code: 'CompletionBeforeDispatch' });
    expect(redelivered).toMatchObject({ runId: run.run_id, chunkNo: 0, action: 'requeued' });
  });

  it('settles a TaskCompleted when dispatch records the command between collect-stats\' two reads', async () => {
    // Prepare: the attempt is planned; dispatch's record commits right after collect-stats' first read
    await h.ledger.registerIndex({ indexName: 'docsg1', logicalName: 'docs', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    const run = await h.ledger.openRun({ sourceEventId: 'evt-between', op: 'sync', indexName: 'docsg1', ids: ['doc-between-0'] });
    await h.ledger.addChunk(run.run_id, 0, { ids: ['doc-between-0'] });
    await h.ledger.markRunChunked(run.run_id, 1);
    await h.ledger.planChunkInstance({ runId: run.run_id, chunkNo: 0, attempt: 1, instanceId: 'i-local0001', maxInFlight: 100 });
    let recorded = false;
    const recordAfter = <T>(read: Promise<T>): Promise<T> =>
      read.then(async (value) => {
        if (!recorded) {
          recorded = true;
          await h.ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: commandIdOf('between', 0), invokeId: 't-betweenx0', instanceId: 'i-local0001' });
        }
        return value;
      });
    const ledger = Object.create(h.ledger, {
      chunkForCommand: { value: (commandId: string) => recordAfter(h.ledger.chunkForCommand(commandId)) },
      plannedAttempts: { value: (instanceId: string) => recordAfter(h.ledger.plannedAttempts(instanceId)) },
    }) as typeof h.ledger;
    // Act
    const result = await collectStats({ ...deps(), ledger }, taskCompleted('between', 0, 'Aborted', -1)).then((value) => value, (error: unknown) => error);
    // Assert: one of the two reads saw the attempt: settled now (or asked again), never ignored
    expect(result).toMatchObject({ runId: run.run_id, chunkNo: 0, action: 'requeued' });
  });

  it('ignores a TaskCompleted whose instance is not the attempt\'s', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'other', 1);
    const input = taskCompleted('other', 0, 'Failed', 1);
    // Act
    const result = await collectStats(deps(), { ...input, data: { ...input.data, instanceId: 'i-local9999' } });
    // Assess
    expect(result).toMatchObject({ action: 'ignored' });
    expect((await h.ledger.chunk(runId, 0))?.state).toBe('dispatched');
  });
});

describe('collect-stats handler', () => {
  async function loadHandler(env: Record<string, string>) {
    vi.resetModules();
    vi.unstubAllEnvs();
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return (await import('../../functions/collect-stats/index')).handler;
  }

  function env(): Record<string, string> {
    return { SUPABASE_DB_URL: h.pg.url, EVENTBRIDGE_ENDPOINT: `http://${h.bus.endpoint}`, EVENT_BUS_NAME: 'vector-sync', MAX_CHUNK_ATTEMPTS: '3', LOG_LEVEL: 'warn' };
  }

  it('closes a run from a TaskCompleted delivered as a Buffer', async () => {
    // Prepare
    const runId = await dispatchedRun(h, 'buffer', 1);
    await h.ledger.finishChunk({ runId, chunkNo: 0, succeeded: true, result: chunkResult, commandId: commandIdOf('buffer', 0) });
    const event = fixture('task-completed.json');
    event.data = { ...event.data, ...taskCompleted('buffer', 0).data, exitCode: '0' };
    const handler = await loadHandler(env());
    // Act
    const result = await handler(Buffer.from(JSON.stringify(event)), h.fcContext('collect-stats'));
    await h.bus.idle();
    // Assess
    expect(result).toMatchObject({ runId, chunkNo: 0, action: 'already-final', closed: 'completed' });
    expect(eventsFor('notify', runId)).toHaveLength(1);
  });

  it('closes a run without chunks on vectorsync.stats.requested', async () => {
    // Prepare
    await h.ledger.registerIndex({ indexName: 'docsg1', logicalName: 'docs', bucket: 'vectors', dimension: 4, metric: 'cosine' });
    const run = await h.ledger.openRun({ sourceEventId: 'evt-empty', op: 'verify', indexName: 'docsg1' });
    await h.ledger.markRunChunked(run.run_id, 0);
    const event = fixture('stats-requested.json');
    event.data.runId = run.run_id;
    const handler = await loadHandler(env());
    // Act
    const result = await handler(Buffer.from(JSON.stringify(event)), h.fcContext('collect-stats'));
    await h.bus.idle();
    // Assess
    expect(result).toMatchObject({ runId: run.run_id, action: 'looked', closed: 'completed' });
    expect(eventsFor('notify', run.run_id)).toHaveLength(1);
  });

  it('parks the event with a message naming the variable when the configuration is bad', async () => {
    // Prepare
    const event = fixture('stats-requested.json');
    event.id = 'stats-bad-config-1';
    const handler = await loadHandler({ ...env(), MAX_CHUNK_ATTEMPTS: 'many' });
    // Act
    const result = await handler(Buffer.from(JSON.stringify(event)), h.fcContext('collect-stats'));
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'ConfigInvalid' });
    const [parked] = await h.sql<{ reason: string }[]>`select reason from vector_sync.parked_events where event_id = 'stats-bad-config-1'`;
    expect(parked?.reason).toMatch(/MAX_CHUNK_ATTEMPTS/);
  });
});
