import * as EventBridgeSdk from '@alicloud/eventbridge';
import { resolveEndpoint } from './batches';
import { EventBridgeConfigError } from './errors';

type ClientClass = typeof EventBridgeSdk.default;

/**
 * The SDK's client class. The package is CommonJS with `exports.default`; Node's ESM loader hands
 * back the whole `module.exports` as the default, a bundler the class itself, so both are accepted.
 */
const EventBridgeClient: ClientClass = (EventBridgeSdk.default as unknown as { default?: ClientClass }).default ?? EventBridgeSdk.default;

/** An instance of the SDK client. */
export type EventBridgeSdkClient = InstanceType<ClientClass>;

export {
  CloudEvent,
  CreateEventBusRequest,
  CreateRuleRequest,
  CreateTargetsRequest,
  DeleteTargetsRequest,
  EBTargetParam,
  ListEventBusesRequest,
  ListRulesRequest,
  TargetEntry,
  UpdateRuleRequest,
} from '@alicloud/eventbridge';

/** Where and as whom to talk to EventBridge: the only things that differ between cloud and local. */
export interface EventBridgeClientConfig {
  /** `<uid>.eventbridge.<region>.aliyuncs.com` (https), or a local `host:port` / `http://host:port`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, e.g. from the FC context. */
  readonly securityToken?: string;
  readonly regionId?: string;
  readonly readTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** Builds the official EventBridge client for the cloud or the local emulator. */
export function createEventBridgeClient(config: EventBridgeClientConfig): EventBridgeSdkClient {
  if (config.endpoint.trim() === '') throw new EventBridgeConfigError('the EventBridge endpoint is empty');
  if (config.accessKeyId === '' || config.accessKeySecret === '') {
    throw new EventBridgeConfigError('the EventBridge access key id or secret is empty');
  }
  const { host, protocol } = resolveEndpoint(config.endpoint);
  return new EventBridgeClient(
    new EventBridgeSdk.Config({
      endpoint: host,
      protocol,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      ...(config.securityToken ? { securityToken: config.securityToken } : {}),
      ...(config.regionId ? { regionId: config.regionId } : {}),
      readTimeout: config.readTimeoutMs ?? 10_000,
      connectTimeout: config.connectTimeoutMs ?? 5_000,
    }),
  );
}
