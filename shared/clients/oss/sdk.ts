import { isIP } from 'node:net';
import OSS from 'ali-oss';
import { OssConfigError } from './errors';
import type { OssClientConfig } from './types';

/** An `ali-oss` client instance (the package is CommonJS `module.exports`, the default export from ESM). */
export type AliOssClient = OSS;

/** `ali-oss` options plus `sldEnable` (path-style addressing), which its typings leave out. */
type AliOssOptions = OSS.Options & { readonly sldEnable?: boolean };

/** ali-oss names regions with an `oss-` prefix and strips it again for the V4 scope. */
function toSdkRegion(region: string): string {
  return region.startsWith('oss-') ? region : `oss-${region}`;
}

function endpointOptions(config: OssClientConfig): Pick<AliOssOptions, 'endpoint' | 'secure' | 'sldEnable'> {
  if (config.endpoint === undefined || config.endpoint.trim() === '') return { secure: true };
  let url: URL;
  try {
    url = new URL(config.endpoint.trim());
  } catch (cause) {
    throw new OssConfigError(`the OSS endpoint "${config.endpoint}" is not a URL (write http:// or https://)`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OssConfigError(`the OSS endpoint "${config.endpoint}" is not http or https`);
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  if (isIP(host) !== 0) {
    throw new OssConfigError(
      `the OSS endpoint "${config.endpoint}" is an IP address: ali-oss then rewrites the Host header and leaves the bucket out of presigned URLs; use a name such as localhost`,
    );
  }
  const pathStyle = config.pathStyle ?? (host === 'localhost' || !host.includes('.'));
  return { endpoint: `${url.protocol}//${url.host}`, secure: url.protocol === 'https:', sldEnable: pathStyle };
}

/**
 * Builds the `ali-oss` client with V4 signing. Without an endpoint it uses the region's public
 * domain over https, virtual-hosted (`<bucket>.oss-<region>.aliyuncs.com`). With the emulator's
 * `http://localhost:<port>` it uses path style (`sldEnable`): `/<bucket>/<key>` on the wire and
 * in presigned URLs. The V4 canonical URI is `/<bucket>/<key>` either way, so signatures do not
 * depend on the choice. ali-oss's own retry stays off: the caller retries with backoff.
 */
export function createOssSdkClient(config: OssClientConfig): AliOssClient {
  if (config.accessKeyId.trim() === '' || config.accessKeySecret.trim() === '') {
    throw new OssConfigError('the OSS access key id or secret is empty');
  }
  if (config.bucket.trim() === '') throw new OssConfigError('the OSS bucket is empty');
  if (config.region.trim() === '') throw new OssConfigError('the OSS region is empty');
  const options: AliOssOptions = {
    region: toSdkRegion(config.region.trim()),
    bucket: config.bucket,
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    authorizationV4: true,
    timeout: config.timeoutMs ?? 60_000,
    ...endpointOptions(config),
    // ali-oss warns on an STS token without a refresh interval; FC and ECS hand us fresh tokens.
    ...(config.securityToken ? { stsToken: config.securityToken, refreshSTSTokenInterval: 3_600_000 } : {}),
  };
  return new OSS(options);
}
