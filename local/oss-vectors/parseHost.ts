/** What a vectors host name says: the bucket (absent on the service host), account and region. */
export interface VectorsHost {
  readonly bucket: string | undefined;
  readonly accountId: string | undefined;
  readonly region: string;
  readonly internal: boolean;
}

const BUCKET_HOST = /^([a-z0-9][a-z0-9-]*[a-z0-9])-(\d+)\.([a-z0-9-]+?)(-internal)?\.oss-vectors\.aliyuncs\.com$/u;
const SERVICE_HOST = /^([a-z0-9-]+?)(-internal)?\.oss-vectors\.aliyuncs\.com$/u;

/** Reads `<bucket>-<accountId>.<region>[-internal].oss-vectors.aliyuncs.com` or the service host. */
export function parseHost(hostHeader: string): VectorsHost | undefined {
  const host = hostHeader.replace(/:\d+$/u, '').toLowerCase();
  const bucket = BUCKET_HOST.exec(host);
  if (bucket) return { bucket: bucket[1], accountId: bucket[2], region: bucket[3] ?? '', internal: bucket[4] !== undefined };
  const service = SERVICE_HOST.exec(host);
  if (service) return { bucket: undefined, accountId: undefined, region: service[1] ?? '', internal: service[2] !== undefined };
  return undefined;
}
