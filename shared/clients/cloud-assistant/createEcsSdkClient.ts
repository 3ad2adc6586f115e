import { $OpenApiUtil } from '@alicloud/openapi-core';
import { resolveEndpoint } from '../eventbridge';
import { CloudAssistantDefaults } from './constants';
import { CloudAssistantConfigError } from './errors';
import { EcsClient } from './sdk';
import type { EcsSdkClient } from './sdk';
import type { CloudAssistantClientConfig } from './types';

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
