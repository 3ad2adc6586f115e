import { CloudAssistantClient } from './CloudAssistantClient';
import { CloudAssistantDefaults } from './constants';
import { createEcsSdkClient } from './createEcsSdkClient';
import type { CloudAssistantClientConfig, CloudAssistantRetryOptions } from './types';

/** Builds a CloudAssistantClient on the official ECS SDK for the cloud or the local emulator. */
export function createCloudAssistantClient(config: CloudAssistantClientConfig, retryOptions: CloudAssistantRetryOptions = {}): CloudAssistantClient {
  return new CloudAssistantClient(createEcsSdkClient(config), config.regionId ?? CloudAssistantDefaults.regionId, retryOptions);
}
