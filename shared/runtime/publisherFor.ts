import { EventPublisher, createEventBridgeClient } from '../clients/eventbridge';
import type { FcContext } from '../fc';
import { credentialsOf } from './credentialsOf';
import { memo } from './memo';

interface Input {
  readonly endpoint: string;
  readonly busName: string;
  readonly regionId: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

const cached = memo(
  (input: Input) => [input.endpoint, input.busName, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: Input) => new EventPublisher(createEventBridgeClient({ endpoint: input.endpoint, regionId: input.regionId, ...input.keys }), { busName: input.busName }),
);

/** The publisher to the project's bus, signed with the function role's keys. */
export function publisherFor(config: { EVENTBRIDGE_ENDPOINT: string; EVENT_BUS_NAME: string }, context: FcContext): EventPublisher {
  return cached({ endpoint: config.EVENTBRIDGE_ENDPOINT, busName: config.EVENT_BUS_NAME, regionId: context.region, keys: credentialsOf(context) });
}
