import { OssObjectStore } from '../clients/oss';
import { ConfigError } from '../config';
import type { FcContext } from '../fc';
import { credentialsOf } from './credentialsOf';
import { memo } from './memo';

interface Input {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

const cached = memo(
  (input: Input) => [input.endpoint, input.bucket, input.region, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: Input) => new OssObjectStore({ endpoint: input.endpoint, bucket: input.bucket, region: input.region, ...input.keys }),
);

function withScheme(endpoint: string): string {
  return /^https?:\/\//u.test(endpoint) ? endpoint : `https://${endpoint}`;
}

/** The project's OSS bucket (worker bundles, report archive) in the function's region. */
export function objectStoreFor(config: { OSS_ENDPOINT: string; OSS_BUCKET: string }, context: FcContext): OssObjectStore {
  return cached({ endpoint: withScheme(config.OSS_ENDPOINT), bucket: config.OSS_BUCKET, region: context.region, keys: credentialsOf(context) });
}

/**
 * The signer of the report link: the read-only report-link user when its keys are set (links live
 * their full 7 days), otherwise none and the function role's store signs.
 */
export function reportLinkSignerFor(
  config: { OSS_ENDPOINT: string; OSS_BUCKET: string; REPORT_LINK_ACCESS_KEY_ID: string; REPORT_LINK_ACCESS_KEY_SECRET: string },
  context: FcContext,
): OssObjectStore | undefined {
  const id = config.REPORT_LINK_ACCESS_KEY_ID !== '';
  if (id !== (config.REPORT_LINK_ACCESS_KEY_SECRET !== '')) {
    const missing = id ? 'REPORT_LINK_ACCESS_KEY_SECRET' : 'REPORT_LINK_ACCESS_KEY_ID';
    throw new ConfigError(context.function.name, [{ variable: missing, message: 'is not set while its pair is: set both report-link keys or neither' }]);
  }
  if (!id) return undefined;
  return cached({
    endpoint: withScheme(config.OSS_ENDPOINT),
    bucket: config.OSS_BUCKET,
    region: context.region,
    keys: { accessKeyId: config.REPORT_LINK_ACCESS_KEY_ID, accessKeySecret: config.REPORT_LINK_ACCESS_KEY_SECRET },
  });
}
