import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { canonicalQuery, canonicalRequest, canonicalUri, computeSignature, parseOssDate, V4_ALGORITHM } from '../../shared/clients/oss-vectors/signer';
import { OssVectorsApiError } from './errors';
import type { EmulatorCredential } from './types';

/** What a vectors host name says: the bucket (absent on the service host), account and region. */
interface VectorsHost {
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

/** What the signature check needs of a request. */
interface SignedRequest {
  readonly method: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly region: string;
  readonly accountId: string;
  readonly bucket: string | undefined;
  readonly now: number;
  readonly maxClockSkewMs: number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function fields(authorization: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of authorization.slice(V4_ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Checks the OSS V4 header signature of a vectors request (the canonical URI is the resource ARN):
 * the date within the allowed skew, a known key and scope, the STS token, then the signature.
 */
export function verifySignature(request: SignedRequest, credentials: readonly EmulatorCredential[]): EmulatorCredential {
  const authorization = header(request.headers, 'authorization') ?? '';
  if (!authorization.startsWith(`${V4_ALGORITHM} `)) throw new OssVectorsApiError('AccessDenied', 'vector buckets take OSS4-HMAC-SHA256 (V4) signatures only');
  const parts = fields(authorization);
  const credential = parts.get('Credential');
  const signature = parts.get('Signature');
  if (!credential || !signature) throw new OssVectorsApiError('InvalidArgument', 'the Authorization header needs Credential and Signature');
  if (parts.get('AdditionalHeaders') === '') throw new OssVectorsApiError('InvalidArgument', 'AdditionalHeaders must not be empty when given (EC 0002-00000209)');
  const ossDate = header(request.headers, 'x-oss-date') ?? '';
  const at = parseOssDate(ossDate);
  if (at === undefined) throw new OssVectorsApiError('AccessDenied', 'x-oss-date is missing or not YYYYMMDDTHHMMSSZ');
  if (Math.abs(request.now - at) > request.maxClockSkewMs) throw new OssVectorsApiError('RequestTimeTooSkewed');
  const [accessKeyId, ...scope] = credential.split('/');
  const found = credentials.find((item) => item.accessKeyId === accessKeyId);
  if (!found) throw new OssVectorsApiError('InvalidAccessKeyId');
  if (scope.join('/') !== `${ossDate.slice(0, 8)}/${request.region}/oss/aliyun_v4_request`) {
    throw new OssVectorsApiError('SignatureDoesNotMatch', `the credential scope ${scope.join('/')} does not match the request date and region`);
  }
  if (found.securityToken !== undefined && header(request.headers, 'x-oss-security-token') !== found.securityToken) throw new OssVectorsApiError('InvalidSecurityToken');
  const headers: Record<string, string | undefined> = {};
  for (const name of Object.keys(request.headers)) headers[name] = header(request.headers, name);
  const canonical = canonicalRequest({
    method: request.method,
    uri: canonicalUri(request.region, request.accountId, request.bucket),
    query: canonicalQuery(request.rawQuery),
    headers,
    additionalHeaders: (parts.get('AdditionalHeaders') ?? '').split(';').filter((name) => name !== ''),
  });
  const expected = Buffer.from(computeSignature(found.accessKeySecret, ossDate, request.region, canonical));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new OssVectorsApiError('SignatureDoesNotMatch');
  return found;
}
