// OSS object requests signed with V4 (OSS4-HMAC-SHA256) over node:http(s), as ali-oss sends them
// with `authorizationV4: true`: the product makes four calls (PutObject, GetObject, HeadObject and a
// presigned GET), and ali-oss's HTTP stack (urllib, iconv-lite, xml2js, ...) was about 900 KB of
// a handler bundle. The V4 primitives are the ones the OSS Vectors client signs with.
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { V4_ALGORITHM, canonicalQuery, canonicalRequest, computeSignature } from '../oss-vectors/signer';
import { OssConfigError, OssUnavailableError } from './errors';
import type { OssClientConfig } from './types';

/** The payload hash of every call: bodies are not hashed (Content-MD5 covers PutObject's). */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** One object request. */
export interface OssRequest {
  readonly method: 'GET' | 'HEAD' | 'PUT';
  readonly key: string;
  /** Headers to send and sign besides the V4 ones, lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** What OSS answered, whatever the status. */
export interface OssAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** `x-oss-date` form of a time: UTC `YYYYMMDDTHHMMSSZ`. */
function ossDate(date: Date): string {
  return date.toISOString().replace(/[-:]/gu, '').replace(/\.\d{3}/u, '');
}

/** RFC 3986 encoding as OSS V4 wants it: `!'()*` too, `/` kept in an object path. */
function uriEncode(value: string, keepSlash = false): string {
  const encoded = encodeURIComponent(value).replace(/[!'()*]/gu, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/gu, '/') : encoded;
}

/** A key in a request path as ali-oss writes it: encodeURIComponent with `/` kept. */
function pathOf(key: string): string {
  return encodeURIComponent(key).replace(/%2F/gu, '/');
}

/** Where requests go: the origin holding the bucket and the path prefix before the key. */
interface Addressing {
  readonly origin: string;
  readonly prefix: string;
}

/**
 * Without an endpoint: the region's public domain over https, virtual-hosted
 * (`<bucket>.oss-<region>.aliyuncs.com`). With the emulator's `http://localhost:<port>` (or any
 * host without a dot): path style, `/<bucket>/<key>`. The V4 canonical URI is `/<bucket>/<key>`
 * either way, so signatures do not depend on the choice.
 */
function addressing(config: OssClientConfig, region: string): Addressing {
  if (config.endpoint === undefined || config.endpoint.trim() === '') return { origin: `https://${config.bucket}.oss-${region}.aliyuncs.com`, prefix: '/' };
  let url: URL;
  try {
    url = new URL(config.endpoint.trim());
  } catch (cause) {
    throw new OssConfigError(`the OSS endpoint "${config.endpoint}" is not a URL (write http:// or https://)`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OssConfigError(`the OSS endpoint "${config.endpoint}" is not http or https`);
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  if (isIP(host) !== 0) {
    throw new OssConfigError(`the OSS endpoint "${config.endpoint}" is an IP address, which cannot carry the bucket in its name; use a name such as localhost`);
  }
  const pathStyle = config.pathStyle ?? (host === 'localhost' || !host.includes('.'));
  return pathStyle ? { origin: `${url.protocol}//${url.host}`, prefix: `/${config.bucket}/` } : { origin: `${url.protocol}//${config.bucket}.${url.host}`, prefix: '/' };
}

/**
 * Signs and sends object requests on one bucket. It neither retries nor judges answers: the
 * store does both. A failure before an answer is an OssUnavailableError (transient).
 */
export class OssHttpClient {
  private readonly region: string;
  private readonly target: Addressing;

  constructor(private readonly config: OssClientConfig) {
    if (config.accessKeyId.trim() === '' || config.accessKeySecret.trim() === '') throw new OssConfigError('the OSS access key id or secret is empty');
    if (config.bucket.trim() === '') throw new OssConfigError('the OSS bucket is empty');
    if (config.region.trim() === '') throw new OssConfigError('the OSS region is empty');
    // ali-oss took regions with an `oss-` prefix; the V4 scope wants the bare region.
    this.region = config.region.trim().replace(/^oss-/u, '');
    this.target = addressing(config, this.region);
  }

  /** Sends one request signed in the Authorization header and reads the whole answer. */
  send(request: OssRequest, now = new Date()): Promise<OssAnswer> {
    const date = ossDate(now);
    const headers: Record<string, string> = { ...request.headers, 'x-oss-date': date, 'x-oss-content-sha256': UNSIGNED_PAYLOAD };
    if (this.config.securityToken) headers['x-oss-security-token'] = this.config.securityToken;
    const signature = this.signature(request.method, request.key, '', headers, date);
    headers.authorization = `${V4_ALGORITHM} Credential=${this.config.accessKeyId}/${this.scope(date)},Signature=${signature}`;
    return this.exchange(request, headers);
  }

  /**
   * A V4 presigned URL (`x-oss-signature-version`, `-credential`, `-date`, `-expires`, the STS
   * token when there is one, and `-signature` over the rest), signed locally: nothing is sent.
   */
  presign(method: 'GET', key: string, expiresInSeconds: number, now = new Date()): string {
    const date = ossDate(now);
    const query: [string, string][] = [
      ['x-oss-credential', `${this.config.accessKeyId}/${this.scope(date)}`],
      ['x-oss-date', date],
      ['x-oss-expires', String(expiresInSeconds)],
      ['x-oss-signature-version', V4_ALGORITHM],
      ...(this.config.securityToken ? [['x-oss-security-token', this.config.securityToken] as [string, string]] : []),
    ];
    const raw = query.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&');
    const signature = this.signature(method, key, raw, {}, date);
    return `${this.target.origin}${this.target.prefix}${pathOf(key)}?${raw}&x-oss-signature=${signature}`;
  }

  private scope(date: string): string {
    return `${date.slice(0, 8)}/${this.region}/oss/aliyun_v4_request`;
  }

  private signature(method: string, key: string, rawQuery: string, headers: Readonly<Record<string, string>>, date: string): string {
    const uri = uriEncode(`/${this.config.bucket}/${key}`, true);
    const canonical = canonicalRequest({ method, uri, query: canonicalQuery(rawQuery), headers });
    return computeSignature(this.config.accessKeySecret, date, this.region, canonical);
  }

  private exchange(request: OssRequest, headers: Readonly<Record<string, string>>): Promise<OssAnswer> {
    const url = new URL(`${this.target.origin}${this.target.prefix}${pathOf(request.key)}`);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = this.config.timeoutMs ?? 60_000;
    const what = `${request.method} ${url.host}${url.pathname}`;
    return new Promise((resolve, reject) => {
      const req = send(url, { method: request.method, headers: { ...headers, 'content-length': String(request.body?.length ?? 0) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(new OssUnavailableError(`${what}: reading the answer failed: ${error.message}`, { code: 'NetworkError', cause: error })));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => reject(new OssUnavailableError(`${what} failed: ${error.message}`, { code: error.code ?? 'NetworkError', cause: error })));
      req.end(request.body);
    });
  }
}
