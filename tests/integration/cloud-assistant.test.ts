import { afterEach, describe, expect, it } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator, CloudAssistantEmulatorOptions, TaskCompletedCloudEvent } from '../../local/cloud-assistant';
import {
  CloudAssistantRequestError,
  CloudAssistantUnavailableError,
  CommandTooLargeError,
  createCloudAssistantClient,
  createEcsApiClient,
  EcsAction,
  InstanceErrorAction,
  InstanceUnavailableError,
  InvalidClientTokenError,
  InvalidParameterNameError,
  TooManyParametersError,
} from '../../shared/clients/cloud-assistant';
import type { CloudAssistantClient, EcsParameter } from '../../shared/clients/cloud-assistant';
import { TaskCompletedEventSchema } from '../../shared/contracts';

let emulator: CloudAssistantEmulator | undefined;
const events: TaskCompletedCloudEvent[] = [];

async function start(options: CloudAssistantEmulatorOptions = {}): Promise<{ ca: CloudAssistantEmulator; client: CloudAssistantClient; sleeps: number[] }> {
  const ca = await startCloudAssistant({
    instances: [
      { instanceId: 'i-local0001', state: 'online' },
      { instanceId: 'i-offline01', state: 'agent-offline' },
      { instanceId: 'i-stopped01', state: 'stopped' },
    ],
    timeScale: 0.05,
    onTaskCompleted: (event) => void events.push(event),
    ...options,
  });
  emulator = ca;
  const sleeps: number[] = [];
  const [credential] = ca.credentials;
  const client = createCloudAssistantClient(
    { endpoint: ca.endpoint, regionId: ca.region, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '', ...(credential?.securityToken ? { securityToken: credential.securityToken } : {}) },
    { baseDelayMs: 1, maxDelayMs: 5, sleep: async (ms) => void sleeps.push(ms) },
  );
  return { ca, client, sleeps };
}

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  events.length = 0;
});

describe('Cloud Assistant client against the local emulator', () => {
  it('runs a script with a parameter and reports decoded output, exit code and TaskCompleted', async () => {
    // Prepare
    const { ca, client } = await start();
    // Act
    const ids = await client.runCommand({
      instanceIds: ['i-local0001'],
      script: 'echo "chunk={{ chunkNo }} on {{ACS::InstanceId}} invoke {{acs::invokeid}}"\necho "home=$HOME path=$PATH"',
      parameters: { chunkNo: '7' },
      timeoutSeconds: 10,
      name: 'vector-sync-chunk',
    });
    await ca.waitForInvocation(ids.invokeId);
    const results = await client.listInvocationResults({ invokeId: ids.invokeId });
    // Assess
    expect(ids.commandId).toMatch(/^c-/u);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ instanceId: 'i-local0001', status: 'Success', final: true, exitCode: 0, errorCode: '', dropped: 0, failure: undefined });
    expect(results[0]?.output).toContain(`chunk=7 on i-local0001 invoke ${ids.invokeId}`);
    expect(results[0]?.output).toContain('path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin');
    await expect.poll(() => events.length).toBe(1);
    const event = TaskCompletedEventSchema.parse(events[0]);
    expect(event.data).toMatchObject({ commandId: ids.commandId, invokeId: ids.invokeId, instanceId: 'i-local0001', invocationStatus: 'Success', exitCode: 0, commandName: 'vector-sync-chunk' });
    expect(events[0]?.data.exitCode).toBe('0');
  });

  it('reports a non-zero exit as Failed with the exit code', async () => {
    const { ca, client } = await start();
    const ids = await client.runCommand({ instanceIds: ['i-local0001'], script: 'echo before; exit 3' });
    await ca.waitForInvocation(ids.invokeId);
    const [result] = (await client.describeInvocationResults({ invokeId: ids.invokeId })).items;
    expect(result).toMatchObject({ status: 'Failed', exitCode: 3, errorCode: 'ExitCodeNonzero', output: 'before\n' });
    expect(result?.failure?.action).toBe(InstanceErrorAction.Fail);
    const [summary] = (await client.describeInvocations({ invokeId: ids.invokeId })).items;
    expect(summary?.status).toBe('Failed');
  });

  it('kills the process tree on Timeout and reports ExecutionTimeout', async () => {
    const { ca, client } = await start();
    const started = Date.now();
    const ids = await client.runCommand({ instanceIds: ['i-local0001'], script: 'sleep 30 & sleep 30; echo never', timeoutSeconds: 10 });
    await ca.waitForInvocation(ids.invokeId);
    const [result] = (await client.describeInvocationResults({ invokeId: ids.invokeId })).items;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ status: 'Timeout', errorCode: 'ExecutionTimeout', output: '' });
    await expect.poll(() => events[0]?.data.invocationStatus).toBe('Timeout');
  });

  it('cuts output at 24 KB and reports the dropped bytes', async () => {
    const { ca, client } = await start();
    const ids = await client.runCommand({ instanceIds: ['i-local0001'], script: 'head -c 30000 /dev/zero | tr "\\0" x' });
    await ca.waitForInvocation(ids.invokeId);
    const [result] = (await client.describeInvocationResults({ invokeId: ids.invokeId })).items;
    expect(result?.output).toHaveLength(24 * 1024);
    expect(result?.dropped).toBe(30_000 - 24 * 1024);
  });

  it('reports an offline agent and a stopped instance per instance, classified for another instance', async () => {
    const { ca, client } = await start();
    const ids = await client.runCommand({ instanceIds: ['i-local0001', 'i-offline01', 'i-stopped01'], script: 'true' });
    await ca.waitForInvocation(ids.invokeId);
    const results = await client.listInvocationResults({ invokeId: ids.invokeId, maxResults: 1 });
    const byId = new Map(results.map((result) => [result.instanceId, result]));
    expect(byId.get('i-offline01')).toMatchObject({ status: 'Aborted', errorCode: 'ClientNotRunning', failure: { action: InstanceErrorAction.TryAnotherInstance } });
    expect(byId.get('i-stopped01')).toMatchObject({ status: 'Aborted', errorCode: 'InstanceNotRunning', failure: { action: InstanceErrorAction.TryAnotherInstance } });
    expect(byId.get('i-local0001')?.status).toBe('Success');
    const [summary] = (await client.describeInvocations({ invokeId: ids.invokeId, includeOutput: true })).items;
    expect(summary?.status).toBe('PartialFailed');
    await expect.poll(() => events.length).toBe(3);
  });

  it('refuses an unknown instance with InvalidInstance.NotFound as an InstanceUnavailableError', async () => {
    const { client } = await start();
    const error = await client.runCommand({ instanceIds: ['i-missing01'], script: 'true' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InstanceUnavailableError);
    expect(error).toMatchObject({ code: 'InvalidInstance.NotFound', statusCode: 404, instanceIds: ['i-missing01'] });
  });

  it('substitutes a parameter as plain text without evaluating it', async () => {
    const { ca, client } = await start();
    const ids = await client.runCommand({
      instanceIds: ['i-local0001'],
      script: "value='{{note}}'\nprintf 'quoted:%s\\n' \"$value\"\necho unquoted:{{note}}",
      parameters: { note: '$(echo EVALUATED)' },
    });
    await ca.waitForInvocation(ids.invokeId);
    const [result] = (await client.describeInvocationResults({ invokeId: ids.invokeId })).items;
    // Single quotes in the script keep the substituted text literal; unquoted, bash evaluates it.
    expect(result?.output).toBe('quoted:$(echo EVALUATED)\nunquoted:EVALUATED\n');
    const [summary] = (await client.describeInvocations({ invokeId: ids.invokeId })).items;
    expect(summary?.parameters).toEqual({ note: '$(echo EVALUATED)' });
  });

  it('returns the same ids for a repeated ClientToken and refuses it with other parameters', async () => {
    const { ca, client } = await start();
    const input = { instanceIds: ['i-local0001'], script: 'echo once', clientToken: 'run-1-chunk-0' } as const;
    const first = await client.runCommand(input);
    const again = await client.runCommand(input);
    await ca.waitForInvocation(first.invokeId);
    const error = await client.runCommand({ ...input, script: 'echo twice' }).catch((caught: unknown) => caught);
    expect(again).toMatchObject({ commandId: first.commandId, invokeId: first.invokeId });
    expect((await client.describeInvocations({})).items).toHaveLength(1);
    expect(error).toBeInstanceOf(CloudAssistantRequestError);
    expect(error).toMatchObject({ code: 'IdempotentParameterMismatch', statusCode: 403 });
  });

  it('rejects a bad signature with SignatureDoesNotMatch, without retrying', async () => {
    const { ca } = await start();
    const client = createCloudAssistantClient({ endpoint: ca.endpoint, accessKeyId: ca.credentials[0]?.accessKeyId ?? '', accessKeySecret: 'wrong-secret' });
    const error = await client.describeInvocations({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudAssistantRequestError);
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });

  it('accepts STS credentials only with their security token', async () => {
    const { ca, client } = await start({ credentials: [{ accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'token-1' }] });
    const withoutToken = createCloudAssistantClient({ endpoint: ca.endpoint, accessKeyId: 'STS.local', accessKeySecret: 'sts-secret' });
    expect((await client.describeInvocations({})).items).toEqual([]);
    await expect(withoutToken.describeInvocations({})).rejects.toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });

  it('recovers from throttling and honours x-acs-retry-after', async () => {
    const { ca, client, sleeps } = await start();
    ca.faults.add({ operation: 'RunCommand', kind: 'status', status: 400, code: 'Throttling', count: 2, headers: { 'x-acs-retry-after': '40' } });
    const ids = await client.runCommand({ instanceIds: ['i-local0001'], script: 'true' });
    await ca.waitForInvocation(ids.invokeId);
    expect(sleeps).toEqual([40, 40]);
    expect((await client.describeInvocations({})).items).toHaveLength(1);
  });

  it('surfaces 5xx beyond the retries as a transient CloudAssistantUnavailableError', async () => {
    const { ca, client, sleeps } = await start();
    ca.faults.add({ operation: 'DescribeInvocationResults', kind: 'status', status: 503, code: 'ServiceUnavailable', count: 10 });
    const error = await client.describeInvocationResults({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudAssistantUnavailableError);
    expect(error).toMatchObject({ transient: true, code: 'ServiceUnavailable', statusCode: 503, details: { attempts: 4 } });
    expect(sleeps).toHaveLength(3);
  });
});

describe('RunCommand limits', () => {
  it.each([
    ['content over 24 KB', { script: 'x'.repeat(19_000) }, CommandTooLargeError, 'CmdContent.ExceedLimit'],
    ['11 parameters', { script: 'true', parameters: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'v'])) }, TooManyParametersError, 'ParameterCount.ExceedLimit'],
    ['a parameter name with a dot', { script: '{{a.b}}', parameters: { 'a.b': 'v' } }, InvalidParameterNameError, 'InvalidParameter.Parameters'],
    ['a non-ASCII ClientToken', { script: 'true', clientToken: 'jeton-é' }, InvalidClientTokenError, 'InvalidClientToken.Malformed'],
  ])('refuses %s in the client before sending', async (_name, input, Kind, code) => {
    const { ca, client } = await start();
    const error = await client.runCommand({ instanceIds: ['i-local0001'], ...input }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Kind);
    expect(error).toMatchObject({ code, transient: false });
    expect(ca.runner.list()).toEqual([]);
  });

  it.each([
    ['11 parameters', { Parameters: JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'v']))) }, 403, 'ParameterCount.ExceedLimit'],
    ['a parameter the script does not use', { Parameters: '{"other":"v"}' }, 403, 'Parameter.NotMatched'],
    ['a placeholder without a value', { CommandContent: Buffer.from('echo {{ needed }}').toString('base64'), Parameters: '{}' }, 400, 'Parameter.MissingValue'],
    ['parameters without EnableParameter', { EnableParameter: false, Parameters: '{"a":"v"}' }, 400, 'Parameter.Disabled'],
    ['an unknown instance', { InstanceId: ['i-nothere01'] }, 404, 'InvalidInstance.NotFound'],
    ['a ClientToken over 64 characters', { ClientToken: 't'.repeat(65) }, 400, 'InvalidClientToken.Malformed'],
  ])('answers %s in the emulator with its documented code', async (_name, overrides, status, code) => {
    // Prepare: the raw API client sends what the CloudAssistantClient would refuse before sending.
    const { ca } = await start();
    const api = createEcsApiClient({ endpoint: ca.endpoint, regionId: ca.region, accessKeyId: ca.credentials[0]?.accessKeyId ?? '', accessKeySecret: ca.credentials[0]?.accessKeySecret ?? '' });
    const parameters: Record<string, EcsParameter> = {
      RegionId: ca.region,
      Type: 'RunShellScript',
      ContentEncoding: 'Base64',
      CommandContent: Buffer.from('echo {{a}}').toString('base64'),
      EnableParameter: true,
      Parameters: '{"a":"v"}',
      InstanceId: ['i-local0001'],
      ...overrides,
    };
    // Act
    const answer = api.call(EcsAction.RunCommand, parameters);
    // Assess
    await expect(answer).rejects.toMatchObject({ code, statusCode: status });
  });
});
