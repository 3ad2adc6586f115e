import type { OssVectorsClientConfig } from './options-schema';

/** Where a request goes: the URL origin to connect to and the Host name to sign and send. */
export interface RequestTarget {
  readonly origin: URL;
  readonly host: string;
}

/**
 * The host of a call: `<bucket>-<accountId>.<region>[-internal].oss-vectors.aliyuncs.com` for a
 * bucket, `<region>[-internal].oss-vectors.aliyuncs.com` for the service. With an endpoint
 * override the connection goes there while Host keeps the OSS name, so an emulator can tell
 * buckets apart exactly as OSS does.
 */
export function resolveTarget(config: OssVectorsClientConfig, bucket?: string): RequestTarget {
  const regionHost = `${config.region}${config.internal ? '-internal' : ''}.oss-vectors.aliyuncs.com`;
  const host = bucket === undefined ? regionHost : `${bucket}-${config.accountId}.${regionHost}`;
  const origin = new URL(config.endpoint ?? `${config.secure ? 'https' : 'http'}://${host}`);
  return { origin, host };
}
