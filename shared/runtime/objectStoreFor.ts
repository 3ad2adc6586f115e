import { OssObjectStore } from '../clients/oss';
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
