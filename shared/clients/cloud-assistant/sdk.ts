import * as EcsSdk from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { resolveEndpoint } from '../eventbridge/batches';
import { CloudAssistantConfigError } from './errors';
import { CloudAssistantDefaults } from './types';
import type { CloudAssistantClientConfig } from './types';

type ClientClass = typeof EcsSdk.default;

/**
 * The ECS client class. The package is CommonJS with `exports.default`; Node's ESM loader hands
 * back the whole `module.exports` as the default, a bundler the class itself, so both are accepted.
 */
const EcsClient: ClientClass = (EcsSdk.default as unknown as { default?: ClientClass }).default ?? EcsSdk.default;

/** An instance of the ECS SDK client. */
export type EcsSdkClient = InstanceType<ClientClass>;

export { DescribeInvocationResultsRequest, DescribeInvocationsRequest, RunCommandRequest } from '@alicloud/ecs20140526';
export { RuntimeOptions } from '@darabonba/typescript';

/**
 * Builds the official ECS client for the cloud or the local emulator, with read and connect
 * timeouts raised from the HTTP layer's 3 s defaults. Without an endpoint the SDK derives the
 * region's own.
 */
export function createEcsSdkClient(config: CloudAssistantClientConfig): EcsSdkClient {
  if (config.accessKeyId === '' || config.accessKeySecret === '') throw new CloudAssistantConfigError('the ECS access key id or secret is empty');
  const endpoint = config.endpoint?.trim() ? resolveEndpoint(config.endpoint) : undefined;
  return new EcsClient(
    new $OpenApiUtil.Config({
      ...(endpoint ? { endpoint: endpoint.host, protocol: endpoint.protocol } : {}),
      regionId: config.regionId ?? CloudAssistantDefaults.regionId,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      ...(config.securityToken ? { securityToken: config.securityToken } : {}),
      readTimeout: config.readTimeoutMs ?? CloudAssistantDefaults.readTimeoutMs,
      connectTimeout: config.connectTimeoutMs ?? CloudAssistantDefaults.connectTimeoutMs,
    }),
  );
}
