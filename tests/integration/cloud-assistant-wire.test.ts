import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as EcsSdk from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudAssistantResponseError, CloudAssistantUnavailableError, createCloudAssistantClient } from '../../shared/clients/cloud-assistant';

// The client calls ECS through the generic `@alicloud/openapi-core` instead of the 4.8 MB
// `@alicloud/ecs20140526` (a devDependency kept for this test): both must put the same request on
// the wire, so a server that records requests compares what each sends for the same call.

type EcsClientClass = typeof EcsSdk.default;
const EcsClient: EcsClientClass = (EcsSdk.default as unknown as { default?: EcsClientClass }).default ?? EcsSdk.default;

/** What a signed ECS RPC request is made of, minus what changes per call (date, nonce, signature). */
interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly signedHeaders: string;
  readonly algorithm: string;
}

const ANSWERS: Readonly<Record<string, object>> = {
  RunCommand: { RequestId: 'r-1', CommandId: 'c-1', InvokeId: 't-1' },
  DescribeInvocations: { RequestId: 'r-2', Invocations: { Invocation: [] } },
  DescribeInvocationResults: { RequestId: 'r-3', Invocation: { InvocationResults: { InvocationResult: [] } } },
};

const KEYS = { accessKeyId: 'LTAI-wire', accessKeySecret: 'wire-secret', securityToken: 'sts-token' } as const;
const REGION = 'cn-shanghai';
let close: (() => Promise<void>) | undefined;

async function recordingServer(answers: Readonly<Record<string, object>> = ANSWERS): Promise<{ endpoint: string; requests: WireRequest[] }> {
  const requests: WireRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://wire');
    const authorization = req.headers.authorization ?? '';
    const pick = (name: string): string | undefined => (typeof req.headers[name] === 'string' ? req.headers[name] : undefined);
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      headers: Object.fromEntries(['host', 'x-acs-action', 'x-acs-version', 'content-type', 'accept', 'x-acs-accesskey-id', 'x-acs-security-token'].map((name) => [name, pick(name)])),
      signedHeaders: /SignedHeaders=([^,]+)/u.exec(authorization)?.[1] ?? '',
      algorithm: authorization.split(' ')[0] ?? '',
    });
    req.resume();
    res.setHeader('content-type', 'application/json;charset=utf-8');
    res.end(JSON.stringify(answers[pick('x-acs-action') ?? ''] ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('the ECS API client on the wire', () => {
  it('sends RunCommand and the two Describe calls exactly as @alicloud/ecs20140526 does', async () => {
    // Prepare
    const { endpoint, requests } = await recordingServer();
    const ours = createCloudAssistantClient({ endpoint, regionId: REGION, ...KEYS });
    const sdk = new EcsClient(new $OpenApiUtil.Config({ endpoint, protocol: 'http', regionId: REGION, ...KEYS }));
    const script = 'echo "chunk {{chunkNo}}"';
    const runtime = new RuntimeOptions({});

    // Act
    await ours.runCommand({ instanceIds: ['i-1', 'i-2'], script, parameters: { chunkNo: '7' }, timeoutSeconds: 90, name: 'chunk', clientToken: 'run-1-0', workingDir: '/root' });
    await sdk.runCommandWithOptions(
      new EcsSdk.RunCommandRequest({
        regionId: REGION,
        type: 'RunShellScript',
        commandContent: Buffer.from(script).toString('base64'),
        contentEncoding: 'Base64',
        instanceId: ['i-1', 'i-2'],
        enableParameter: true,
        timeout: 90,
        parameters: { chunkNo: '7' },
        name: 'chunk',
        clientToken: 'run-1-0',
        workingDir: '/root',
      }),
      runtime,
    );
    await ours.describeInvocations({ invokeId: 't-1', includeOutput: true, maxResults: 10 });
    await sdk.describeInvocationsWithOptions(new EcsSdk.DescribeInvocationsRequest({ regionId: REGION, invokeId: 't-1', includeOutput: true, maxResults: 10 }), runtime);
    await ours.describeInvocationResults({ invokeId: 't-1', instanceId: 'i-2', nextToken: 'n-1' });
    await sdk.describeInvocationResultsWithOptions(
      new EcsSdk.DescribeInvocationResultsRequest({ regionId: REGION, invokeId: 't-1', instanceId: 'i-2', nextToken: 'n-1', maxResults: 50 }),
      runtime,
    );

    // Assess
    expect(requests).toHaveLength(6);
    const [runOurs, runSdk, invocationsOurs, invocationsSdk, resultsOurs, resultsSdk] = requests;
    expect(runOurs).toEqual(runSdk);
    expect(invocationsOurs).toEqual(invocationsSdk);
    expect(resultsOurs).toEqual(resultsSdk);
    expect(runOurs).toMatchObject({ method: 'POST', path: '/', algorithm: 'ACS3-HMAC-SHA256', headers: { 'x-acs-action': 'RunCommand', 'x-acs-version': '2014-05-26' } });
    expect(runOurs?.query).toContainEqual(['InstanceId.2', 'i-2']);
    expect(runOurs?.query).toContainEqual(['Parameters', '{"chunkNo":"7"}']);
  });

  it('refuses an answer without the documented ids as a CloudAssistantResponseError', async () => {
    // Prepare
    const { endpoint } = await recordingServer({ RunCommand: { RequestId: 'r-1', CommandId: 'c-1' } });
    const client = createCloudAssistantClient({ endpoint, regionId: REGION, ...KEYS });

    // Act
    const run = client.runCommand({ instanceIds: ['i-1'], script: 'true' });

    // Assess
    await expect(run).rejects.toBeInstanceOf(CloudAssistantResponseError);
    await expect(run).rejects.toThrow(/RunCommand answered an unexpected shape: .*InvokeId/u);
  });

  it('turns a refused connection into a transient CloudAssistantUnavailableError after its retries', async () => {
    // Prepare: a port that was just closed refuses connections.
    const { endpoint } = await recordingServer();
    await close?.();
    close = undefined;
    const sleeps: number[] = [];
    const client = createCloudAssistantClient({ endpoint, regionId: REGION, ...KEYS }, { maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) });

    // Act
    const listing = client.describeInvocations({});

    // Assess
    await expect(listing).rejects.toBeInstanceOf(CloudAssistantUnavailableError);
    await expect(listing).rejects.toMatchObject({ transient: true, details: { attempts: 3 } });
    expect(sleeps).toHaveLength(2);
  });
});
