import { createHash, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { errorXml, OssApiError } from './errors';
import type { ObjectStore, StoredObject } from './objectStores';
import { headerValue, parseRawQuery, verifyRequest } from './signatureV4';
import type { OssCredential } from './signatureV4';

/** Bucket and key of a request, however it was addressed. */
export interface ObjectAddress {
  readonly bucket: string;
  /** Empty for a bucket-level request. */
  readonly key: string;
  readonly style: 'virtual-hosted' | 'path';
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/**
 * Finds bucket and key. A host that names no bucket (an IP, `localhost`, a name without a dot)
 * means path style, `/<bucket>/<key>` (ali-oss `sldEnable`); any other host is virtual-hosted,
 * `<bucket>.<domain>` with the key as the path, as on OSS itself. The raw path is read so that
 * `..` or `//` in a key survive. Undefined when no bucket is named or the path is not decodable.
 */
export function resolveAddress(hostHeader: string, rawPath: string): ObjectAddress | undefined {
  const host = hostName(hostHeader.trim().toLowerCase());
  const path = rawPath.split('?', 1)[0] ?? '/';
  if (!path.startsWith('/')) return undefined;
  const pathStyle = host === '' || host === 'localhost' || isIP(host) !== 0 || !host.includes('.');
  if (pathStyle) {
    const slash = path.indexOf('/', 1);
    const bucket = decode(slash < 0 ? path.slice(1) : path.slice(1, slash));
    const key = slash < 0 ? '' : decode(path.slice(slash + 1));
    if (!bucket || key === undefined) return undefined;
    return { bucket, key, style: 'path' };
  }
  const bucket = host.slice(0, host.indexOf('.'));
  const key = decode(path.slice(1));
  if (bucket === '' || key === undefined) return undefined;
  return { bucket, key, style: 'virtual-hosted' };
}

/** The headers OSS answers GetObject and HeadObject with (besides the request id). */
function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-oss-object-type': 'Normal',
    'x-oss-storage-class': 'Standard',
  };
  for (const [name, value] of Object.entries(object.meta)) headers[`x-oss-meta-${name}`] = value;
  return headers;
}

/**
 * GetObject and HeadObject: the object with its headers, or NoSuchKey. HEAD gets the body too so
 * that Content-Length is right; Node's server never writes a body in answer to HEAD.
 */
async function getObject(store: ObjectStore, address: ObjectAddress): Promise<EmulatorResponse> {
  const object = await store.get(address.bucket, address.key);
  if (!object) throw new OssApiError('NoSuchKey', undefined, { Key: address.key });
  return { status: 200, headers: objectHeaders(object), body: object.body };
}

/** Longest object key OSS takes, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1023;
const META_PREFIX = 'x-oss-meta-';

/**
 * PutObject: checks the key and any Content-MD5, stores the bytes with their content type and
 * `x-oss-meta-*` metadata, and answers 200 with the ETag (quoted upper-case hex MD5, as OSS).
 */
async function putObject(store: ObjectStore, address: ObjectAddress, request: EmulatorRequest, now: Date): Promise<EmulatorResponse> {
  const keyBytes = Buffer.byteLength(address.key, 'utf8');
  if (keyBytes > MAX_KEY_BYTES || address.key.startsWith('/') || address.key.startsWith('\\')) {
    throw new OssApiError('InvalidObjectName', `the object key must be 1-${MAX_KEY_BYTES} bytes and not start with / or \\`, { Key: address.key });
  }
  const md5 = createHash('md5').update(request.body).digest();
  const contentMd5 = headerValue(request.headers, 'content-md5');
  if (contentMd5 !== undefined && contentMd5 !== md5.toString('base64')) {
    throw new OssApiError('InvalidDigest', undefined, { CalculatedDigest: md5.toString('base64'), ExpectedDigest: contentMd5 });
  }
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(META_PREFIX) && value !== undefined) meta[name.slice(META_PREFIX.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  const etag = `"${md5.toString('hex').toUpperCase()}"`;
  const contentType = headerValue(request.headers, 'content-type') ?? 'application/octet-stream';
  await store.put(address.bucket, address.key, { body: request.body, contentType, etag, lastModified: now, meta });
  return { status: 200, headers: { etag, 'content-md5': md5.toString('base64') } };
}

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

/** A request id as OSS writes them: 24 upper-case hex digits. */
function requestId(): string {
  return randomUUID().replace(/-/gu, '').toUpperCase().slice(0, 24);
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
    const id = requestId();
    const xml = errorXml(code, message, id, hostOf(request), extra);
    const headers = { 'x-oss-request-id': id, 'content-type': 'application/xml' };
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
      return { ...response, headers: { ...response.headers, 'x-oss-request-id': requestId() } };
    } catch (error) {
      if (error instanceof OssApiError) return this.errorResponse(error.status, error.ossCode, error.message, request, error.extra);
      throw error;
    }
  }
}
