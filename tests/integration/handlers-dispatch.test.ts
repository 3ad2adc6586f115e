// dispatch against local Postgres (real migrations), Cloud Assistant and OSS: a chunk becomes
// exactly one RunCommand carrying no secret; refusals, stale answers and rotation between instances.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';
import { createCloudAssistantClient } from '../../shared/clients/cloud-assistant';
import { OssObjectStore, uploadWorkerBundle } from '../../shared/clients/oss';
import { WorkerBundleMissingError, dispatchChunk } from '../../shared/domain/dispatch';
import { fcRole, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

let h: Harness | undefined;
let ecs: CloudAssistantEmulator | undefined;

afterEach(async () => {
  await ecs?.close();
  await h?.close();
  ecs = undefined;
  h = undefined;
});

function uuids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
}

async function activeIndex(harness: Harness): Promise<void> {
  await harness.ledger.registerIndex({ indexName: 'docsv1', logicalName: 'docs', bucket: 'local-vectors', dimension: 384, metric: 'cosine' });
  await harness.ledger.activateIndex('docsv1');
}

describe('dispatch (dispatchChunk)', () => {
  async function setUp(states: ('online' | 'agent-offline' | 'stopped')[], upload = true) {
    h = await startHarness({ oss: true });
    await activeIndex(h);
    ecs = await startCloudAssistant({ instances: states.map((state, i) => ({ instanceId: `i-local000${i + 1}`, state })), credentials: [fcRole], accountId: h.bus.accountId, region: h.bus.region });
    const store = new OssObjectStore({ endpoint: h.oss?.endpoint ?? '', bucket: h.oss?.bucket ?? '', region: h.bus.region, ...fcRole });
    if (upload) await uploadWorkerBundle(store, 'workers/1.0.0/worker.js', Buffer.from('console.log("worker")'));
    const run = await h.ledger.openRun({ sourceEventId: 'evt-d', op: 'sync', indexName: 'docsv1', ids: uuids(2) });
    await h.ledger.addChunk(run.run_id, 0, { ids: uuids(2) });
    await h.ledger.markRunChunked(run.run_id, 1);
    const deps = {
      ledger: h.ledger,
      cloudAssistant: createCloudAssistantClient({ endpoint: ecs.endpoint, regionId: ecs.region, ...fcRole }),
      bundle: { store, prefix: 'workers/', version: upload ? '1.0.0' : '9.9.9' },
      instanceIds: states.map((_, i) => `i-local000${i + 1}`),
      timeoutSeconds: 60,
      maxChunksInFlight: 4,
      log: h.log,
    };
    return { runId: run.run_id, deps, ecs };
  }

  it('sends one RunCommand whose parameters hold only ids, the version and the bundle', async () => {
    // Prepare
    const { runId, deps, ecs } = await setUp(['online', 'online']);
    // Act
    const first = await dispatchChunk(deps, { runId, chunkNo: 0 });
    const again = await dispatchChunk(deps, { runId, chunkNo: 0 });
    // Assess
    expect(first).toMatchObject({ status: 'dispatched', attempt: 1 });
    expect(again).toMatchObject({ status: 'skipped' });
    const invocations = ecs.runner.list();
    expect(invocations).toHaveLength(1);
    const spec = invocations[0]?.spec;
    expect(Object.keys(spec?.parameters ?? {}).sort()).toEqual(['bundleSha256', 'bundleUrl', 'chunkNo', 'runId', 'workerVersion']);
    expect(JSON.stringify(spec?.parameters)).not.toContain(fcRole.accessKeySecret);
    expect(spec?.name).toBe('vectorsync-chunk');
    expect(spec?.timeoutSeconds).toBe(60);
    expect(spec?.content).toContain('worker.js');
    const chunk = await h?.ledger.chunk(runId, 0);
    expect(chunk).toMatchObject({ state: 'dispatched', attempts: 1, command_id: invocations[0]?.commandId, invoke_id: invocations[0]?.invokeId });
  }, 60_000);

  it('parks a chunk whose worker bundle was never uploaded, naming the key', async () => {
    // Prepare
    const { runId, deps } = await setUp(['online'], false);
    // Act / Assess
    await expect(dispatchChunk(deps, { runId, chunkNo: 0 })).rejects.toThrow(WorkerBundleMissingError);
    await expect(dispatchChunk(deps, { runId, chunkNo: 0 })).rejects.toThrow(/workers\/9\.9\.9\/worker\.js/u);
  }, 60_000);

  it('fails the chunk with the reason and frees its slot when RunCommand refuses the command for good', async () => {
    // Prepare: the cloud refuses every RunCommand (a permission the function role lacks).
    const { runId, deps, ecs } = await setUp(['online', 'online']);
    ecs.faults.add({ operation: 'RunCommand', kind: 'status', status: 403, code: 'Operation.Forbidden', rate: 1 });
    // Act: the first delivery is refused, a redelivery finds nothing left to do.
    const refused = await dispatchChunk(deps, { runId, chunkNo: 0 }).catch((error: unknown) => error);
    const again = await dispatchChunk(deps, { runId, chunkNo: 0 });
    // Assert
    expect(refused).toMatchObject({ code: 'Operation.Forbidden' });
    expect(again).toMatchObject({ status: 'skipped' });
    expect(await h?.ledger.chunk(runId, 0)).toMatchObject({ state: 'failed', attempts: 1, instance_id: null, error: expect.stringContaining('RunCommand refused: Operation.Forbidden') });
    expect(await h?.ledger.chunkSlotsTaken()).toBe(0);
    expect(ecs.runner.list()).toHaveLength(0);
  }, 60_000);

  it('skips a copy whose RunCommand answers after the chunk moved on, instead of refusing a valid event', async () => {
    // Prepare: while this copy's RunCommand is in flight (a retry after a hang answers the first
    // invocation under its token), another copy records an attempt and its worker finishes the chunk.
    const { runId, deps } = await setUp(['online']);
    const ledger = h?.ledger;
    if (!ledger) throw new Error('no harness');
    const slow = {
      describeInvocations: (input: Parameters<typeof deps.cloudAssistant.describeInvocations>[0]) => deps.cloudAssistant.describeInvocations(input),
      runCommand: async (input: Parameters<typeof deps.cloudAssistant.runCommand>[0]) => {
        const ids = await deps.cloudAssistant.runCommand(input);
        await ledger.markChunkDispatched({ runId, chunkNo: 0, commandId: 'c-other-copy', invokeId: 't-other-copy', instanceId: 'i-local0001' });
        await ledger.finishChunk({ runId, chunkNo: 0, succeeded: true, result: { upserted: 2, deleted: 0, skipped: 0, rejected: 0, failed: 0 }, commandId: 'c-other-copy' });
        return ids;
      },
    };
    // Act
    const late = await dispatchChunk({ ...deps, cloudAssistant: slow }, { runId, chunkNo: 0 }).then((result) => result, (error: unknown) => error);
    // Assess
    expect(late).toMatchObject({ status: 'skipped', runId, chunkNo: 0 });
    expect(await ledger.chunk(runId, 0)).toMatchObject({ state: 'succeeded', command_id: 'c-other-copy' });
  }, 60_000);

  it('sends the next attempt of a chunk to another instance', async () => {
    // Prepare: the first attempt's instance had its agent down (reported per instance, afterwards)
    const { runId, deps } = await setUp(['online', 'online']);
    const first = await dispatchChunk(deps, { runId, chunkNo: 0 });
    await h?.ledger.requeueChunk(runId, 0, 'Failed: ClientNotRunning', 3);
    // Act
    const second = await dispatchChunk(deps, { runId, chunkNo: 0 });
    // Assess
    expect(second).toMatchObject({ status: 'dispatched', attempt: 2 });
    expect(first.status === 'dispatched' && second.status === 'dispatched' && first.instanceId !== second.instanceId).toBe(true);
  }, 60_000);
});
