// The Cloud Assistant emulator as strict as the cloud, through the official ECS SDK: RunCommand's
// documented parameter checks and codes, and per-instance statuses of runs that never start.
import * as EcsSdk from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';

type ClientClass = typeof EcsSdk.default;
const EcsClient: ClientClass = (EcsSdk.default as unknown as { default?: ClientClass }).default ?? EcsSdk.default;

let emulator: CloudAssistantEmulator | undefined;

async function start(): Promise<{ ca: CloudAssistantEmulator; ecs: InstanceType<ClientClass> }> {
  const ca = await startCloudAssistant({
    instances: [
      { instanceId: 'i-local0001', state: 'online' },
      { instanceId: 'i-offline01', state: 'agent-offline' },
      { instanceId: 'i-stopped01', state: 'stopped' },
    ],
    timeScale: 0.05,
  });
  emulator = ca;
  const [credential] = ca.credentials;
  const ecs = new EcsClient(
    new $OpenApiUtil.Config({ endpoint: ca.endpoint, protocol: 'http', regionId: ca.region, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' }),
  );
  return { ca, ecs };
}

function runCommand(ca: CloudAssistantEmulator, fields: Partial<ConstructorParameters<typeof EcsSdk.RunCommandRequest>[0]> = {}): EcsSdk.RunCommandRequest {
  return new EcsSdk.RunCommandRequest({ regionId: ca.region, type: 'RunShellScript', commandContent: 'echo hi', instanceId: ['i-local0001'], timeout: 10, ...fields });
}

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('Cloud Assistant emulator, RunCommand checks through the official SDK', () => {
  it.each([
    ['a Timeout under 10 s', { timeout: 9 }, 'InvalidParameter.Timeout'],
    ['a Username over 255 characters', { username: 'u'.repeat(256) }, 'Username.ExceedLimit'],
    ['a Launcher over 1 KB', { launcher: `bash ${'x'.repeat(1024)}` }, 'InvalidLauncher.LengthLimitExceeded'],
    ['a malformed ContainerId', { containerId: 'docker://abc' }, 'InvalidContainerId.Malformed'],
    ['a tag key in the reserved acs: space', { tag: [new EcsSdk.RunCommandRequestTag({ key: 'acs:owner', value: 'x' })] }, 'InvalidTagKey.Malformed'],
    ['21 tags', { tag: Array.from({ length: 21 }, (_, n) => new EcsSdk.RunCommandRequestTag({ key: `k${n}`, value: 'v' })) }, 'NumberExceed.Tags'],
  ])('refuses %s with its documented code and runs nothing', async (_what, fields, code) => {
    // Prepare
    const { ca, ecs } = await start();
    // Act
    const error = await ecs.runCommand(runCommand(ca, fields)).catch((caught: unknown) => caught);
    // Assert
    expect(error).toMatchObject({ code });
    expect(ca.runner.list()).toHaveLength(0);
  });

  it('takes the documented forms of those fields', async () => {
    const { ca, ecs } = await start();
    const answer = await ecs.runCommand(
      runCommand(ca, { username: 'root', containerId: `containerd://${'a'.repeat(64)}`, tag: [new EcsSdk.RunCommandRequestTag({ key: 'team', value: 'search' })] }),
    );
    expect(answer.body?.invokeId).toMatch(/^t-/u);
  });

  it('reports runs that never start as Aborted per instance, with -1 as exit code, and Failed only for a script that ran', async () => {
    // Prepare
    const { ca, ecs } = await start();
    // Act
    const aborted = await ecs.runCommand(runCommand(ca, { instanceId: ['i-offline01', 'i-stopped01'] }));
    const failed = await ecs.runCommand(runCommand(ca, { commandContent: 'exit 3' }));
    const invalid = await ecs.runCommand(runCommand(ca, { workingDir: '/no/such/dir' }));
    for (const answer of [aborted, failed, invalid]) await ca.waitForInvocation(answer.body?.invokeId ?? '');
    // Assert
    const rows = async (invokeId: string | undefined) =>
      (await ecs.describeInvocationResults(new EcsSdk.DescribeInvocationResultsRequest({ regionId: ca.region, invokeId }))).body?.invocation?.invocationResults?.invocationResult ?? [];
    const byInstance = new Map((await rows(aborted.body?.invokeId)).map((row) => [row.instanceId, row]));
    expect(byInstance.get('i-offline01')).toMatchObject({ invocationStatus: 'Aborted', errorCode: 'ClientNotRunning' });
    expect(byInstance.get('i-stopped01')).toMatchObject({ invocationStatus: 'Aborted', errorCode: 'InstanceNotRunning' });
    expect((await rows(failed.body?.invokeId))[0]).toMatchObject({ invocationStatus: 'Failed', errorCode: 'ExitCodeNonzero', exitCode: 3 });
    expect((await rows(invalid.body?.invokeId))[0]).toMatchObject({ invocationStatus: 'Invalid', errorCode: 'DirectoryNotExists' });
    const task = (await ecs.describeInvocations(new EcsSdk.DescribeInvocationsRequest({ regionId: ca.region, invokeId: aborted.body?.invokeId }))).body?.invocations?.invocation?.[0];
    expect(task?.invocationStatus).toBe('Failed');
  });

  it('ends runs still going when the emulator stops as Terminated (running) and Cancelled (not started)', async () => {
    // Prepare
    const { ca, ecs } = await start();
    const answer = await ecs.runCommand(runCommand(ca, { commandContent: 'sleep 30', timeout: 600 }));
    const invokeId = answer.body?.invokeId ?? '';
    await expect.poll(() => ca.runner.list().find((record) => record.invokeId === invokeId)?.runs[0]?.status).toBe('Running');
    // Act
    await ca.close();
    emulator = undefined;
    // Assert
    const record = ca.runner.list().find((candidate) => candidate.invokeId === invokeId);
    expect(record?.runs[0]).toMatchObject({ status: 'Terminated', errorCode: 'ExecutionInterrupted' });
  });
});
