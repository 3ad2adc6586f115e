import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { OssApiError } from './errors';
import { errorXml } from './errorXml';
import { getObject } from './getObject';
import { parseRawQuery } from './parseRawQuery';
import { putObject } from './putObject';
import { resolveAddress } from './resolveAddress';
import type { ObjectAddress, ObjectStore, OssCredential } from './types';
import { verifyRequest } from './verifyRequest';

/** The operations served, by HTTP method; faults match on these names. */
const OPERATIONS: Readonly<Record<string, string>> = { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject' };

/** Settings of the service behind the emulator's HTTP server. */
export interface OssServiceOptions {
  readonly store: ObjectStore;
  readonly credentials: readonly OssCredential[];
  /** Bare region (`cn-hangzhou`) requests must be signed for. */
  readonly region: string;
  readonly now?: () => number;
}

function hostOf(request: EmulatorRequest): string {
  return request.headers.host ?? '';
}

/**
 * Standard OSS object calls as `ali-oss` makes them (PutObject, GetObject, HeadObject) with V4
 * header signatures and V4 presigned URLs, in virtual-hosted or path-style addressing. Errors are
 * OSS's XML `<Error>` bodies; a HEAD answer has no body, so it carries the same XML base64-coded
 * in `x-oss-err`, which ali-oss decodes.
 */
export class OssService implements EmulatorService {
  readonly name = 'oss';
  private readonly now: () => number;

  constructor(private readonly options: OssServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const operation = OPERATIONS[request.method.toUpperCase()];
    const address = resolveAddress(hostOf(request), request.rawPath);
    if (operation === undefined || !address || address.key === '') return undefined;
    return { operation, handle: (req) => this.handle(operation, address, req) };
  }

  errorResponse(status: number, code: string, message: string, request: EmulatorRequest, extra: Readonly<Record<string, string>> = {}): EmulatorResponse {
    const requestId = randomUUID().replace(/-/gu, '').toUpperCase().slice(0, 24);
    const xml = errorXml(code, message, requestId, hostOf(request), extra);
    const headers = { 'x-oss-request-id': requestId, 'content-type': 'application/xml' };
    if (request.method.toUpperCase() === 'HEAD') return { status, headers: { ...headers, 'x-oss-err': Buffer.from(xml).toString('base64') } };
    return { status, headers, body: xml };
  }

  private async handle(operation: string, address: ObjectAddress, request: EmulatorRequest): Promise<EmulatorResponse> {
    try {
      if (!(await this.options.store.hasBucket(address.bucket))) throw new OssApiError('NoSuchBucket', undefined, { BucketName: address.bucket });
      const now = this.now();
      const signed = { ...address, method: request.method, query: parseRawQuery(request.rawPath), headers: request.headers, region: this.options.region, now };
      verifyRequest(signed, this.options.credentials);
      const response = operation === 'PutObject' ? await putObject(this.options.store, address, request, new Date(now)) : await getObject(this.options.store, address);
      return { ...response, headers: { ...response.headers, 'x-oss-request-id': randomUUID().replace(/-/gu, '').toUpperCase().slice(0, 24) } };
    } catch (error) {
      if (error instanceof OssApiError) return this.errorResponse(error.status, error.ossCode, error.message, request, error.extra);
      throw error;
    }
  }
}
