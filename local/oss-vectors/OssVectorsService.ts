import { createHash, randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { TokenBucket } from '../../shared/ratelimit';
import { bucketOperations } from './bucketOperations';
import { OssVectorsApiError } from './errors';
import { indexOperations } from './indexOperations';
import { parseHost } from './parseHost';
import type { EmulatorCredential, EmulatorLimits, OperationContext } from './types';
import { vectorOperations } from './vectorOperations';
import { verifySignature } from './verifySignature';
import type { VectorStore } from './VectorStore';

type Handler = (context: OperationContext) => EmulatorResponse;

const HANDLERS: Readonly<Record<string, Handler>> = { ...bucketOperations, ...indexOperations, ...vectorOperations };

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
export interface OssVectorsServiceOptions {
  readonly store: VectorStore;
  readonly credentials: readonly EmulatorCredential[];
  readonly region: string;
  readonly accountId: string;
  readonly limits: EmulatorLimits;
  readonly searchableDelayMs: number;
  /** PutVectors requests per second before 429; unlimited when absent. */
  readonly putVectorsQps?: number;
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
export class OssVectorsService implements EmulatorService {
  readonly name = 'oss-vectors';
  private readonly putLimiter: TokenBucket | undefined;

  constructor(private readonly options: OssVectorsServiceOptions) {
    this.putLimiter = options.putVectorsQps === undefined ? undefined : new TokenBucket({ ratePerSecond: options.putVectorsQps });
  }

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
      if (operation === 'PutVectors' && this.putLimiter && !this.putLimiter.tryTake()) throw new OssVectorsApiError('Throttling', 'PutVectors QPS limit exceeded');
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
