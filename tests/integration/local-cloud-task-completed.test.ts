// Cloud Assistant's TaskCompleted reaches the local default bus and, through the project's routing,
// the collect-stats function, as in the cloud: only our commands, with every aliyun* attribute, and
// with delivery retries and a dead letter when the function keeps failing.
import { afterEach, describe, expect, it } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator, InvokableFunction } from '../../local/eventbridge';
import type { LocalInvokeResult } from '../../local/fc';
import { createCloudAssistantClient } from '../../shared/clients/cloud-assistant';
import type { CloudAssistantClient } from '../../shared/clients/cloud-assistant';
import { CloudEventAttributesSchema, TaskCompletedEventSchema } from '../../shared/contracts';
import { FunctionName, ROUTES } from '../../shared/routing';

/** A stand-in for collect-stats that records what it gets and fails its first `failures` calls. */
class RecordingFunction implements InvokableFunction {
  readonly events: Record<string, unknown>[] = [];
  calls = 0;

  constructor(private failures = 0) {}

  async invoke(event: Buffer): Promise<LocalInvokeResult> {
    this.calls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      const error = { errorMessage: 'collect-stats is down', errorType: 'Error', stackTrace: [] };
      return { ok: false, requestId: `r-${this.calls}`, durationMs: 1, errorHeader: 'UnhandledInvocationError', error, body: Buffer.from(JSON.stringify(error)), logs: [] };
    }
    this.events.push(JSON.parse(event.toString('utf8')) as Record<string, unknown>);
    return { ok: true, requestId: `r-${this.calls}`, durationMs: 1, body: Buffer.from('{}'), logs: [] };
  }
}

let bus: EventBridgeEmulator | undefined;
let ecs: CloudAssistantEmulator | undefined;

async function start(collectStats: RecordingFunction): Promise<{ client: CloudAssistantClient; bus: EventBridgeEmulator; ecs: CloudAssistantEmulator }> {
  bus = await startEventBridge({ routes: ROUTES, timeScale: 0.0001, functions: new Map([[FunctionName.CollectStats, collectStats]]) });
  const eventBridge = bus;
  ecs = await startCloudAssistant({
    instances: [{ instanceId: 'i-local0001', state: 'online' }],
    accountId: eventBridge.accountId,
    region: eventBridge.region,
    onTaskCompleted: (event) => eventBridge.publishServiceEvent(event),
  });
  const [credential] = ecs.credentials;
  const client = createCloudAssistantClient({ endpoint: ecs.endpoint, regionId: ecs.region, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' });
  return { client, bus: eventBridge, ecs };
}

afterEach(async () => {
  await ecs?.close();
  await bus?.close();
  ecs = undefined;
  bus = undefined;
});

describe('TaskCompleted from local Cloud Assistant to the local default bus', () => {
  it('delivers the completion of a vectorsync- command to collect-stats as Alibaba delivers it', async () => {
    // Prepare
    const collectStats = new RecordingFunction();
    const { client, bus, ecs } = await start(collectStats);
    // Act
    const { invokeId } = await client.runCommand({ instanceIds: ['i-local0001'], script: 'echo done; exit 3', timeoutSeconds: 10, name: 'vectorsync-chunk' });
    await ecs.waitForInvocation(invokeId);
    await bus.idle();
    // Assert
    expect(collectStats.events).toHaveLength(1);
    const delivered = collectStats.events[0];
    const attributes = CloudEventAttributesSchema.parse(delivered);
    expect(attributes).toMatchObject({ source: 'acs.ecs', type: 'ecs:CloudAssistant:TaskCompleted', aliyuneventbusname: 'default', aliyunaccountid: bus.accountId, aliyunregionid: bus.region });
    const event = TaskCompletedEventSchema.parse(delivered);
    expect(delivered?.data).toMatchObject({ exitCode: '3' });
    expect(event.data).toMatchObject({ invokeId, instanceId: 'i-local0001', commandName: 'vectorsync-chunk', exitCode: 3, invocationStatus: 'Failed' });
  });

  it('keeps completions of other commands on the account away from the pipeline', async () => {
    // Prepare
    const collectStats = new RecordingFunction();
    const { client, bus, ecs } = await start(collectStats);
    // Act
    const { invokeId } = await client.runCommand({ instanceIds: ['i-local0001'], script: 'echo backup', timeoutSeconds: 10, name: 'nightly-backup' });
    await ecs.waitForInvocation(invokeId);
    await bus.idle();
    // Assert
    expect(collectStats.calls).toBe(0);
    expect(bus.deliveries).toHaveLength(0);
  });

  it('retries a failing collect-stats with the rule strategy until it takes the event', async () => {
    // Prepare
    const collectStats = new RecordingFunction(2);
    const { client, bus, ecs } = await start(collectStats);
    // Act
    const { invokeId } = await client.runCommand({ instanceIds: ['i-local0001'], script: 'true', timeoutSeconds: 10, name: 'vectorsync-chunk' });
    await ecs.waitForInvocation(invokeId);
    await bus.idle();
    // Assert
    expect(collectStats.calls).toBe(3);
    expect(collectStats.events).toHaveLength(1);
    expect(bus.deliveries.map((delivery) => delivery.outcome)).toEqual(['failed', 'failed', 'delivered']);
    expect(bus.deadLetters).toHaveLength(0);
  });

  it('parks the completion in the dead-letter log with its reason when collect-stats never recovers', async () => {
    // Prepare
    const collectStats = new RecordingFunction(Number.POSITIVE_INFINITY);
    const { client, bus, ecs } = await start(collectStats);
    // Act
    const { invokeId } = await client.runCommand({ instanceIds: ['i-local0001'], script: 'true', timeoutSeconds: 10, name: 'vectorsync-chunk' });
    await ecs.waitForInvocation(invokeId);
    await bus.idle();
    // Assert
    expect(bus.deadLetters).toHaveLength(1);
    expect(bus.deadLetters[0]).toMatchObject({ bus: 'default', functionName: FunctionName.CollectStats, lastError: expect.stringContaining('collect-stats is down') });
    expect(bus.deadLetters[0]?.attempts).toBeGreaterThan(1);
  });
});
