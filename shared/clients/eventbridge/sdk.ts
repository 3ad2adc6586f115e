import * as EventBridgeSdk from '@alicloud/eventbridge';

type ClientClass = typeof EventBridgeSdk.default;

/**
 * The SDK's client class. The package is CommonJS with `exports.default`; Node's ESM loader hands
 * back the whole `module.exports` as the default, a bundler the class itself, so both are accepted.
 */
export const EventBridgeClient: ClientClass =
  (EventBridgeSdk.default as unknown as { default?: ClientClass }).default ?? EventBridgeSdk.default;

/** An instance of the SDK client. */
export type EventBridgeSdkClient = InstanceType<ClientClass>;

export { CloudEvent, Config } from '@alicloud/eventbridge';
