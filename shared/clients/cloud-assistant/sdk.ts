// The ECS RPC API (version 2014-05-26) through the official SDK family's generic client,
// `@alicloud/openapi-core`, which `@alicloud/ecs20140526` extends: each action is one `callApi`
// with the parameters and request settings that SDK passes (POST /, parameters in the query,
// ACS3-HMAC-SHA256 signature, JSON answer), without loading its models of every ECS action
// (3.2 MB of a handler bundle, about 250 ms of a cold start).
import * as OpenApiCore from '@alicloud/openapi-core';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { resolveEndpoint } from '../eventbridge/batches';
import { ecsEndpointOf } from './endpoints';
import { CloudAssistantConfigError } from './errors';
import { CloudAssistantDefaults } from './types';
import type { CloudAssistantClientConfig } from './types';

type ClientClass = typeof OpenApiCore.default;

/**
 * The generic client class. The package is CommonJS with `exports.default`; Node's ESM loader
 * hands back the whole `module.exports` as the default, a bundler the class itself, so both are
 * accepted.
 */
const OpenApiClient: ClientClass = (OpenApiCore.default as unknown as { default?: ClientClass }).default ?? OpenApiCore.default;

/** The ECS API version every Cloud Assistant action belongs to. */
export const ECS_API_VERSION = '2014-05-26';

/** The ECS actions the product calls. */
export const EcsAction = {
  RunCommand: 'RunCommand',
  DescribeInvocations: 'DescribeInvocations',
  DescribeInvocationResults: 'DescribeInvocationResults',
} as const;
export type EcsAction = (typeof EcsAction)[keyof typeof EcsAction];

/**
 * One request parameter by its API name. A list goes out as `Name.1`, `Name.2`, ...; an undefined
 * value is left out; everything else is sent as text, as the ECS SDK sends it.
 */
export type EcsParameter = string | number | boolean | readonly string[] | undefined;

/** The request settings `@alicloud/ecs20140526` gives `callApi` for every Cloud Assistant action. */
function rpcParams(action: EcsAction): $OpenApiUtil.Params {
  return new $OpenApiUtil.Params({
    action,
    version: ECS_API_VERSION,
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

/**
 * Calls ECS RPC actions by name. Errors are the generic client's: an answered error carries
 * `code`, `statusCode`, `requestId` (and `retryAfter` when throttled); a network failure has no
 * status. `errors.ts` turns them into typed errors.
 */
export class EcsApiClient {
  constructor(private readonly client: InstanceType<ClientClass>) {}

  /** Sends one action with its parameters and resolves with the answer's JSON body, unchecked. */
  async call(action: EcsAction, parameters: Readonly<Record<string, EcsParameter>>): Promise<unknown> {
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(parameters) });
    const response = await this.client.callApi(rpcParams(action), request, new RuntimeOptions({}));
    const body: unknown = response.body;
    return body;
  }
}

/**
 * Builds the ECS API client for the cloud or the local emulator, with read and connect timeouts
 * raised from the HTTP layer's 3 s defaults. Without an endpoint it uses the region's own, as the
 * ECS SDK does.
 */
export function createEcsApiClient(config: CloudAssistantClientConfig): EcsApiClient {
  if (config.accessKeyId === '' || config.accessKeySecret === '') throw new CloudAssistantConfigError('the ECS access key id or secret is empty');
  const regionId = config.regionId ?? CloudAssistantDefaults.regionId;
  const endpoint = config.endpoint?.trim() ? resolveEndpoint(config.endpoint) : { host: ecsEndpointOf(regionId), protocol: 'https' as const };
  return new EcsApiClient(
    new OpenApiClient(
      new $OpenApiUtil.Config({
        endpoint: endpoint.host,
        protocol: endpoint.protocol,
        regionId,
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        ...(config.securityToken ? { securityToken: config.securityToken } : {}),
        readTimeout: config.readTimeoutMs ?? CloudAssistantDefaults.readTimeoutMs,
        connectTimeout: config.connectTimeoutMs ?? CloudAssistantDefaults.connectTimeoutMs,
      }),
    ),
  );
}
