import { createHash, randomUUID } from 'node:crypto';
import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { catalogOperations } from './catalogOperations';
import { OssVectorsApiError, OssVectorsEmulatorConfigError } from './errors';
import type { EmulatorCredential, EmulatorLimits, OperationContext } from './types';
import { vectorOperations } from './vectorOperations';
import { parseHost, verifySignature } from './verifySignature';
import { VectorStore } from './VectorStore';
import { CLOUD_WRITE_QUOTA, WriteQuota } from './writeQuota';
import type { IndexWriteCounts, WriteQuotaLimits } from './writeQuota';

/** Defaults of a local OSS Vectors: one account, one fixed key, the Hangzhou region. */
const OssVectorsEmulatorDefaults = {
  region: 'cn-hangzhou',
  accountId: '1234567890123456',
  accessKeyId: 'LTAI-local-oss-vectors',
  accessKeySecret: 'local-oss-vectors-secret',
} as const;

/**
 * Limits the emulator answers. Where the documentation disagrees it takes the newer figure (the
 * client defaults to the stricter one), and every value can be overridden.
 */
export const OssVectorsEmulatorLimits = {
  maxBuckets: 100,
  maxIndexesPerBucket: 100,
  maxVectorsPerPut: 500,
  maxKeyBytes: 1024,
  maxDimension: 4096,
  maxMetadataBytes: 40 * 1024,
  maxMetadataKeys: 10,
  maxFilterableMetadataBytes: 2 * 1024,
  maxNonFilterableKeys: 10,
  maxTopK: 100,
  maxGetKeys: 100,
  maxDeleteKeys: 500,
  maxListResults: 1000,
  defaultListResults: 500,
  maxListPageBytes: 1024 * 1024,
  maxSegments: 16,
  maxIndexPageResults: 500,
  defaultIndexPageResults: 100,
  maxFilterBytes: 64 * 1024,
  maxFilterConditions: 1024,
  maxFilterDepth: 8,
  /** A header-signed request may be this far from the server clock (standard OSS: 15 min). */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

type Handler = (context: OperationContext) => EmulatorResponse;

const HANDLERS: Readonly<Record<string, Handler>> = { ...catalogOperations, ...vectorOperations };

/** `POST /?<subresource>` calls by their lowerCamel subresource. */
const POST_OPERATIONS: Readonly<Record<string, string>> = {
  putVectorIndex: 'PutVectorIndex',
  getVectorIndex: 'GetVectorIndex',
  listVectorIndexes: 'ListVectorIndexes',
  deleteVectorIndex: 'DeleteVectorIndex',
  putVectors: 'PutVectors',
  getVectors: 'GetVectors',
  listVectors: 'ListVectors',
  deleteVectors: 'DeleteVectors',
  queryVectors: 'QueryVectors',
};

/** Settings of the service behind the HTTP server. */
interface OssVectorsServiceOptions {
  readonly store: VectorStore;
  readonly credentials: readonly EmulatorCredential[];
  readonly region: string;
  readonly accountId: string;
  readonly limits: EmulatorLimits;
  readonly searchableDelayMs: number;
  readonly writeQuota: WriteQuota;
  readonly now: () => number;
}

function operationOf(request: EmulatorRequest, hasBucket: boolean): string | undefined {
  const subresource = [...request.url.searchParams.keys()][0] ?? '';
  const method = request.method.toUpperCase();
  if (method === 'POST') return POST_OPERATIONS[subresource];
  if (!hasBucket) return method === 'GET' ? 'ListVectorBuckets' : undefined;
  if (method === 'GET' && subresource === 'bucketInfo') return 'GetVectorBucket';
  if (method === 'PUT' && subresource === '') return 'PutVectorBucket';
  if (method === 'DELETE' && subresource === '') return 'DeleteVectorBucket';
  return undefined;
}

function requestId(): string {
  return randomUUID().replace(/-/gu, '').toUpperCase().slice(0, 24);
}

/**
 * OSS Vectors (Standard mode) over HTTP: the bucket comes from the virtual host, the operation from
 * the method and subresource; every call is V4-signed against the resource ARN. Errors are the
 * JSON `{"Error":{…}}` body with `x-oss-request-id`.
 */
class OssVectorsService implements EmulatorService {
  readonly name = 'oss-vectors';

  constructor(private readonly options: OssVectorsServiceOptions) {}

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const host = parseHost(String(request.headers.host ?? ''));
    const operation = operationOf(request, host?.bucket !== undefined);
    const handler = operation === undefined ? undefined : HANDLERS[operation];
    if (operation === undefined || handler === undefined) return undefined;
    return { operation, handle: (req) => this.handle(operation, handler, req) };
  }

  errorResponse(status: number, code: string, message: string, request: EmulatorRequest): EmulatorResponse {
    const id = requestId();
    const body = { Error: { Code: code, Message: message, RequestId: id, HostId: String(request.headers.host ?? '') } };
    return { status, headers: { 'x-oss-request-id': id, 'content-type': 'application/json' }, body };
  }

  private handle(operation: string, handler: Handler, request: EmulatorRequest): EmulatorResponse {
    try {
      const host = parseHost(String(request.headers.host ?? ''));
      if (!host) throw new OssVectorsApiError('InvalidArgument', 'Host must be <bucket>-<accountId>.<region>.oss-vectors.aliyuncs.com');
      if (host.bucket !== undefined && host.accountId !== this.options.accountId) throw new OssVectorsApiError('AccessDenied', `account ${host.accountId ?? ''} is not this account`);
      if (host.region !== this.options.region) throw new OssVectorsApiError('InvalidArgument', `this endpoint serves ${this.options.region}`);
      const now = this.options.now();
      const rawQuery = request.rawPath.includes('?') ? request.rawPath.slice(request.rawPath.indexOf('?') + 1) : '';
      verifySignature(
        { method: request.method, rawQuery, headers: request.headers, region: host.region, accountId: this.options.accountId, bucket: host.bucket, now, maxClockSkewMs: this.options.limits.maxClockSkewMs },
        this.options.credentials,
      );
      this.checkDigest(request);
      const context: OperationContext = { ...this.options, bucket: host.bucket, body: request.body, query: request.url.searchParams, headers: request.headers, now };
      const response = handler(context);
      return { ...response, headers: { ...response.headers, 'x-oss-request-id': requestId() } };
    } catch (error) {
      if (error instanceof OssVectorsApiError) return this.errorResponse(error.status, error.ossCode, error.message, request);
      throw error;
    }
  }

  private checkDigest(request: EmulatorRequest): void {
    const md5 = request.headers['content-md5'];
    if (md5 !== undefined && createHash('md5').update(request.body).digest('base64') !== md5) throw new OssVectorsApiError('InvalidDigest');
  }
}

/**
 * How long after a write a vector shows up in QueryVectors in the cloud (about 2-3 s, issue 17 B);
 * the emulator's default, so a caller's wait-and-retry path runs locally too.
 */
export const CLOUD_SEARCHABLE_DELAY_MS = 2_500;

/** Settings of a local OSS Vectors. */
export interface OssVectorsEmulatorOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly credentials?: readonly EmulatorCredential[];
  /** Keep buckets, indexes and vectors here (kept across restarts); default: in memory. */
  readonly dataDir?: string;
  /**
   * Delay before a written vector shows up in QueryVectors; default the cloud's, about 2-3 s
   * (`CLOUD_SEARCHABLE_DELAY_MS`). A test about something else may pass 0.
   */
  readonly searchableDelayMs?: number;
  /**
   * The write quota per index (PutVectors and DeleteVectors together) and the PutVectorIndex rate;
   * default the cloud's figures, 5 requests and 2,500 vectors a second; `false` turns both off.
   */
  readonly writeQuota?: WriteQuotaLimits | false;
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
  /** What each index's writers were answered (accepted and throttled calls, vectors), by `bucket/indexName`. */
  writeCounts(): Record<string, IndexWriteCounts>;
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
  const now = options.now ?? Date.now;
  const writeQuota = new WriteQuota(options.writeQuota ?? CLOUD_WRITE_QUOTA, now);
  const service = new OssVectorsService({
    store,
    credentials,
    region,
    accountId,
    limits: { ...OssVectorsEmulatorLimits, ...options.limits },
    searchableDelayMs: options.searchableDelayMs ?? CLOUD_SEARCHABLE_DELAY_MS,
    writeQuota,
    now,
  });
  const server = new EmulatorServer(service, new FaultInjector());
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: server.url,
    region,
    accountId,
    credentials,
    writeCounts: () => writeQuota.writeCounts(),
    close: async () => {
      await server.stop();
      store.close();
    },
  };
}
