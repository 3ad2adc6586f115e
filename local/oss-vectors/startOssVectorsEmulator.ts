import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import { OssVectorsEmulatorDefaults, OssVectorsEmulatorLimits } from './constants';
import { OssVectorsEmulatorConfigError } from './errors';
import { OssVectorsService } from './OssVectorsService';
import type { EmulatorCredential, EmulatorLimits } from './types';
import { VectorStore } from './VectorStore';

/** Settings of a local OSS Vectors. */
export interface OssVectorsEmulatorOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly credentials?: readonly EmulatorCredential[];
  /** Keep buckets, indexes and vectors here (kept across restarts); default: in memory. */
  readonly dataDir?: string;
  /** Delay before a written vector shows up in QueryVectors; default 0. */
  readonly searchableDelayMs?: number;
  /** PutVectors requests per second before 429 Throttling; default unlimited. */
  readonly putVectorsQps?: number;
  readonly limits?: Partial<EmulatorLimits>;
  readonly port?: number;
  /** The emulator's clock (skew checks, visibility); default `Date.now`. */
  readonly now?: () => number;
}

/** A running local OSS Vectors and the handles tests read. */
export interface OssVectorsEmulator {
  readonly server: EmulatorServer;
  /** `http://127.0.0.1:<port>`: the client's `endpoint` override. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: readonly EmulatorCredential[];
  /** Stops the server, compacts the index logs and closes them. */
  close(): Promise<void>;
}

/** Starts the OSS Vectors emulator on 127.0.0.1 (a free port unless given). */
export async function startOssVectorsEmulator(options: OssVectorsEmulatorOptions = {}): Promise<OssVectorsEmulator> {
  const credentials = options.credentials ?? [{ accessKeyId: OssVectorsEmulatorDefaults.accessKeyId, accessKeySecret: OssVectorsEmulatorDefaults.accessKeySecret }];
  if (credentials.length === 0) throw new OssVectorsEmulatorConfigError('the OSS Vectors emulator needs at least one credential');
  const accountId = options.accountId ?? OssVectorsEmulatorDefaults.accountId;
  if (!/^\d+$/u.test(accountId)) throw new OssVectorsEmulatorConfigError(`account id ${accountId} is not numeric`);
  const region = options.region ?? OssVectorsEmulatorDefaults.region;
  const store = new VectorStore(options.dataDir);
  const service = new OssVectorsService({
    store,
    credentials,
    region,
    accountId,
    limits: { ...OssVectorsEmulatorLimits, ...options.limits },
    searchableDelayMs: options.searchableDelayMs ?? 0,
    ...(options.putVectorsQps === undefined ? {} : { putVectorsQps: options.putVectorsQps }),
    now: options.now ?? Date.now,
  });
  const server = new EmulatorServer(service, new FaultInjector());
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: server.url,
    region,
    accountId,
    credentials,
    close: async () => {
      await server.stop();
      store.close();
    },
  };
}
