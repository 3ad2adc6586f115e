// chunk, dispatch and collect-stats as their handlers run, with MAX_CHUNKS_IN_FLIGHT=2, against
// local Postgres (real migrations), the EventBridge emulator with the project's routes, Cloud
// Assistant (TaskCompleted on the default bus) and OSS: a run of ten chunks never has more than two
// in flight, chunk.ready beyond the free slots is deferred, and each settled attempt announces the
// next waiting chunk until the run completes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';
import { OssObjectStore, uploadWorkerBundle } from '../../shared/clients/oss';
import { collectStats } from '../../shared/domain/collect';
import { fixture, manyIds } from '../helpers/fixtures';
import { chunkResult, commandIdOf, dispatchedRun, fcRole, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

type Handler = (event: Buffer, context: unknown) => Promise<unknown>;

let h: Harness | undefined;
let ecs: CloudAssistantEmulator | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await ecs?.close();
  await h?.close();
  ecs = undefined;
  h = undefined;
});

/** The chunk, dispatch and collect-stats handlers as their bundles run them, with the harness's endpoints in their settings. */
async function loadHandlers(harness: Harness, cloud: CloudAssistantEmulator, settings: Record<string, string>): Promise<Record<'chunk' | 'dispatch' | 'collectStats', Handler>> {
  const env = {
    SUPABASE_DB_URL: harness.pg.url,
    EVENTBRIDGE_ENDPOINT: `http://${harness.bus.endpoint}`,
    EVENT_BUS_NAME: 'vector-sync',
    ECS_REGION_ID: cloud.region,
    ECS_ENDPOINT: `http://${cloud.endpoint}`,
    ECS_INSTANCE_IDS: 'i-local0001,i-local0002',
    RUN_COMMAND_TIMEOUT_SECONDS: '60',
    WORKER_VERSION: '1.0.0',
    OSS_ENDPOINT: harness.oss?.endpoint ?? '',
    OSS_BUCKET: harness.oss?.bucket ?? '',
    LOG_LEVEL: 'warn',
    ...settings,
  };
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const load = async (name: string): Promise<Handler> => {
    const { handler } = (await import(`../../functions/${name}/index.ts`)) as { handler: (event: Buffer, context: never) => Promise<unknown> };
    return (event, context) => handler(event, context as never);
  };
  return { chunk: await load('chunk'), dispatch: await load('dispatch'), collectStats: await load('collect-stats') };
}

/** A CloudEvent fixture with its data replaced, as a Buffer (the way FC hands events over). */
function eventOf(name: string, id: string, data: Record<string, unknown>): Buffer {
  const event = fixture(name);
  return Buffer.from(JSON.stringify({ ...event, id, data: { ...event.data, ...data } }));
}

describe('chunks in flight across the pool', () => {
  it('keeps a run of ten chunks at most two in flight, defers the rest and still finishes it', async () => {
    // Prepare
    h = await startHarness({ oss: true });
    const harness = h;
    ecs = await startCloudAssistant({
      instances: [{ instanceId: 'i-local0001', state: 'online' }, { instanceId: 'i-local0002', state: 'online' }],
      credentials: [fcRole],
      accountId: harness.bus.accountId,
      region: harness.bus.region,
      onTaskCompleted: (event) => harness.bus.publishServiceEvent(event),
    });
    const store = new OssObjectStore({ endpoint: harness.oss?.endpoint ?? '', bucket: harness.oss?.bucket ?? '', region: harness.bus.region, ...fcRole });
    await uploadWorkerBundle(store, 'workers/1.0.0/worker.js', Buffer.from('console.log("worker")'));
    await harness.ledger.registerIndex({ indexName: 'docsv1', logicalName: 'docs', bucket: 'local-vectors', dimension: 384, metric: 'cosine' });
    await harness.ledger.activateIndex('docsv1');
    const run = await harness.ledger.openRun({ sourceEventId: 'evt-ten', op: 'sync', indexName: 'docsv1', ids: manyIds(10) });
    const handlers = await loadHandlers(harness, ecs, { MAX_CHUNKS_IN_FLIGHT: '2', CHUNK_MAX_IDS: '1', MAX_CHUNK_ATTEMPTS: '3' });
    const statuses: string[] = [];
    let mostInFlight = 0;
    const seen = { dispatch: 0, collectStats: 0 };

    /** Delivers to dispatch every chunk.ready the bus has for it, and notes the slots taken after each. */
    async function deliverChunkReady(): Promise<void> {
      const events = harness.delivered('dispatch').slice(seen.dispatch);
      seen.dispatch += events.length;
      for (const event of events) {
        const answer = (await handlers.dispatch(Buffer.from(JSON.stringify(event)), harness.fcContext('dispatch'))) as { status: string };
        statuses.push(answer.status);
        mostInFlight = Math.max(mostInFlight, await harness.ledger.chunkSlotsTaken());
      }
    }

    // Act: the run is chunked (two chunk.ready for the two free slots), then a flood of chunk.ready
    // for every chunk reaches dispatch (as copies would); then each TaskCompleted is settled after
    // the worker's result is written, until the run completes
    const chunked = await handlers.chunk(eventOf('run-accepted.json', `${run.run_id}-accepted`, { runId: run.run_id }), harness.fcContext('chunk'));
    await harness.bus.idle();
    const announcedFirst = harness.delivered('dispatch').map((event) => event.id);
    await deliverChunkReady();
    const flood = await Promise.all(
      manyIds(10).map((_, chunkNo) => handlers.dispatch(eventOf('chunk-ready.json', `${run.run_id}-${chunkNo}-copy`, { runId: run.run_id, chunkNo }), harness.fcContext('dispatch'))),
    );
    const waitingAfterFlood = (await harness.ledger.chunks(run.run_id)).filter((chunk) => chunk.state === 'ready' && chunk.instance_id === null).length;
    for (let round = 0; round < 50 && (await harness.ledger.run(run.run_id))?.state !== 'completed'; round += 1) {
      const cloud = ecs;
      const inFlight = (await harness.ledger.chunks(run.run_id)).filter((chunk) => chunk.state === 'dispatched');
      await Promise.all(inFlight.map((chunk) => cloud.waitForInvocation(chunk.invoke_id ?? '')));
      await harness.bus.idle();
      const completions = harness.delivered('collect-stats').slice(seen.collectStats);
      seen.collectStats += completions.length;
      for (const event of completions) {
        // The worker writes its result before its process ends (here the script only stands in for it).
        const chunk = await harness.ledger.chunkForCommand(String(event.data.commandId));
        if (chunk !== undefined && chunk.state === 'dispatched') {
          await harness.ledger.markChunkRunning(chunk.run_id, chunk.chunk_no, chunk.command_id ?? undefined);
          await harness.ledger.finishChunk({ runId: chunk.run_id, chunkNo: chunk.chunk_no, succeeded: true, result: chunkResult, commandId: chunk.command_id ?? undefined });
        }
        await handlers.collectStats(Buffer.from(JSON.stringify(event)), harness.fcContext('collect-stats'));
      }
      await harness.bus.idle();
      await deliverChunkReady();
      if (completions.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Assess: chunk announced only the two chunks that had a slot; never more than two in flight,
    // and the pool was kept full
    expect(chunked).toEqual({ runId: run.run_id, chunks: 10, announced: 2 });
    expect(announcedFirst).toEqual([`${run.run_id}-0-1`, `${run.run_id}-1-1`]);
    expect(mostInFlight).toBe(2);
    expect(flood.map((answer) => (answer as { status: string }).status).filter((status) => status === 'deferred')).toHaveLength(8);
    expect(waitingAfterFlood).toBe(8);
    const chunks = await harness.ledger.chunks(run.run_id);
    expect(chunks.map((chunk) => [chunk.state, chunk.attempts])).toEqual(chunks.map(() => ['succeeded', 1]));
    expect(statuses.filter((status) => status === 'dispatched')).toHaveLength(10);
    expect(await harness.ledger.run(run.run_id)).toMatchObject({ state: 'completed', upserted: 10 });
    expect(await harness.ledger.chunkSlotsTaken()).toBe(0);
  }, 120_000);

  it('announces the oldest waiting chunk (oldest run first) for the slot a settled attempt frees', async () => {
    // Prepare: the older run has chunk 0 in flight and chunk 1 waiting; a newer run waits behind it
    h = await startHarness();
    const harness = h;
    const older = await dispatchedRun(harness, 'older', 2);
    await harness.ledger.requeueChunk(older, 1, 'waits for a slot', 3);
    const newer = await harness.ledger.openRun({ sourceEventId: 'evt-newer', op: 'sync', indexName: 'docsg1', ids: ['doc-newer-0'] });
    await harness.ledger.addChunk(newer.run_id, 0, { ids: ['doc-newer-0'] });
    await harness.ledger.markRunChunked(newer.run_id, 1);
    await harness.sql`update vector_sync.runs set accepted_at = accepted_at + interval '1 minute' where run_id = ${newer.run_id}`;
    await harness.ledger.finishChunk({ runId: older, chunkNo: 0, succeeded: true, result: chunkResult, commandId: commandIdOf('older', 0) });
    const task = { commandId: commandIdOf('older', 0), commandName: 'vectorsync-chunk', instanceId: 'i-local0001', invokeId: 't-olderx0', invocationStatus: 'Success' as const, exitCode: 0 };
    // Act
    const result = await collectStats({ ledger: harness.ledger, publisher: harness.publisher, log: harness.log, maxChunkAttempts: 3, maxChunksInFlight: 1 }, { type: 'ecs:CloudAssistant:TaskCompleted', data: task });
    await harness.bus.idle();
    // Assess
    expect(result).toMatchObject({ action: 'already-final', announced: 1 });
    expect(harness.delivered('dispatch').map((event) => event.id)).toEqual([`${older}-1-2`]);
  }, 60_000);
});
