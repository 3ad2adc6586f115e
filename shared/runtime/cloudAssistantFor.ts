import { createCloudAssistantClient } from '../clients/cloud-assistant';
import type { CloudAssistantClient } from '../clients/cloud-assistant';
import type { FcContext } from '../fc';
import { credentialsOf } from './credentialsOf';
import { memo } from './memo';

interface Input {
  readonly endpoint: string;
  readonly regionId: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

const cached = memo(
  (input: Input) => [input.endpoint, input.regionId, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: Input): CloudAssistantClient => createCloudAssistantClient({ ...(input.endpoint ? { endpoint: input.endpoint } : {}), regionId: input.regionId, ...input.keys }),
);

/** The Cloud Assistant client for the worker instances' region, signed with the function role's keys. */
export function cloudAssistantFor(config: { ECS_REGION_ID: string; ECS_ENDPOINT: string }, context: FcContext): CloudAssistantClient {
  return cached({ endpoint: config.ECS_ENDPOINT, regionId: config.ECS_REGION_ID, keys: credentialsOf(context) });
}
