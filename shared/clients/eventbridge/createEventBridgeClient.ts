import { EventBridgeConfigError } from './errors';
import { Config, EventBridgeClient } from './sdk';
import type { EventBridgeSdkClient } from './sdk';
import type { EventBridgeClientConfig } from './types';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/u;

/**
 * The SDK takes the host without a scheme and sends plain HTTP unless told otherwise, so the
 * scheme is taken from the endpoint when given, otherwise https except for a loopback emulator.
 */
export function resolveEndpoint(endpoint: string): { host: string; protocol: 'http' | 'https' } {
  const match = /^(https?):\/\/(.+?)\/?$/u.exec(endpoint.trim());
  if (match) return { host: match[2] ?? '', protocol: match[1] === 'http' ? 'http' : 'https' };
  const host = endpoint.trim().replace(/\/$/u, '');
  return { host, protocol: LOOPBACK.test(host) ? 'http' : 'https' };
}

/** Builds the official EventBridge client for the cloud or the local emulator. */
export function createEventBridgeClient(config: EventBridgeClientConfig): EventBridgeSdkClient {
  if (config.endpoint.trim() === '') throw new EventBridgeConfigError('the EventBridge endpoint is empty');
  if (config.accessKeyId === '' || config.accessKeySecret === '') {
    throw new EventBridgeConfigError('the EventBridge access key id or secret is empty');
  }
  const { host, protocol } = resolveEndpoint(config.endpoint);
  return new EventBridgeClient(
    new Config({
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
