import * as EcsSdk from '@alicloud/ecs20140526';

type ClientClass = typeof EcsSdk.default;

/**
 * The ECS client class. The package is CommonJS with `exports.default`; Node's ESM loader hands
 * back the whole `module.exports` as the default, a bundler the class itself, so both are accepted.
 */
export const EcsClient: ClientClass = (EcsSdk.default as unknown as { default?: ClientClass }).default ?? EcsSdk.default;

/** An instance of the ECS SDK client. */
export type EcsSdkClient = InstanceType<ClientClass>;

export { DescribeInvocationResultsRequest, DescribeInvocationsRequest, RunCommandRequest } from '@alicloud/ecs20140526';
