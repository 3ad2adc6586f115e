import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import { OssEmulatorConfigError } from './errors';
import { DirectoryObjectStore, MemoryObjectStore } from './objectStores';
import type { ObjectStore } from './objectStores';
import { OssService } from './OssService';
import type { OssCredential } from './signatureV4';

/** Defaults of a local OSS: one fixed key, one bucket, the Hangzhou region. */
const OssEmulatorDefaults = {
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-oss',
  accessKeySecret: 'local-oss-secret',
  bucket: 'vector-sync-local',
} as const;

/** Settings of a local OSS. */
export interface OssEmulatorOptions {
  /** Bare region requests are signed for; default `cn-hangzhou`. */
  readonly region?: string;
  /** Keys accepted; default one fixed local key. */
  readonly credentials?: readonly OssCredential[];
  /** Buckets that exist from the start; default one, `vector-sync-local`. */
  readonly buckets?: readonly string[];
  /** Keep objects in this folder (kept across restarts); default: in memory. */
  readonly directory?: string;
  readonly port?: number;
  /** The emulator's clock (expiry and skew checks); default `Date.now`. */
  readonly now?: () => number;
}

/** A running local OSS and the handles tests read. */
export interface OssEmulator {
  readonly server: EmulatorServer;
  /**
   * `http://localhost:<port>`, the endpoint for our OSS client (path style). ali-oss rewrites the
   * Host of requests to an IP endpoint and leaves the bucket out of their presigned URLs, so the
   * emulator is named by `localhost`, which resolves to the same 127.0.0.1 listener.
   */
  readonly endpoint: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly region: string;
  /** The first bucket. */
  readonly bucket: string;
  readonly credentials: readonly OssCredential[];
  readonly faults: FaultInjector;
  readonly store: ObjectStore;
  close(): Promise<void>;
}

/** Starts the OSS emulator on 127.0.0.1 with its buckets created. */
export async function startOss(options: OssEmulatorOptions = {}): Promise<OssEmulator> {
  const region = options.region ?? OssEmulatorDefaults.region;
  const credentials = options.credentials ?? [{ accessKeyId: OssEmulatorDefaults.accessKeyId, accessKeySecret: OssEmulatorDefaults.accessKeySecret }];
  const buckets = options.buckets ?? [OssEmulatorDefaults.bucket];
  if (credentials.length === 0) throw new OssEmulatorConfigError('the OSS emulator needs at least one credential');
  for (const bucket of buckets) {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/u.test(bucket)) throw new OssEmulatorConfigError(`"${bucket}" is not a valid OSS bucket name`);
  }
  const store = options.directory ? new DirectoryObjectStore(options.directory) : new MemoryObjectStore();
  for (const bucket of buckets) await store.createBucket(bucket);
  const faults = new FaultInjector();
  const service = new OssService({ store, credentials, region, ...(options.now ? { now: options.now } : {}) });
  const server = new EmulatorServer(service, faults);
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: `http://localhost:${server.port}`,
    url: server.url,
    region,
    bucket: buckets[0] ?? OssEmulatorDefaults.bucket,
    credentials,
    faults,
    store,
    close: () => server.stop(),
  };
}
