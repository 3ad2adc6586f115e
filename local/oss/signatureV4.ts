import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseOssDate } from '../../shared/clients/oss-vectors/signer';
import { OssApiError } from './errors';

// OSS V4 signature verification, header-signed and presigned, as ali-oss signs with `authorizationV4: true`.

/** Limits OSS applies to the calls the emulator serves. */
const OssEmulatorLimits = {
  /** A V4 presigned URL lives 1 s to 7 days. */
  minExpiresSeconds: 1,
  maxExpiresSeconds: 604_800,
  /** A header-signed request may be this far from the server clock. */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

/** The signature algorithm name of OSS V4 (header and query forms). */
const V4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** The payload hash OSS V4 clients send for an unsigned body. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** A key the emulator accepts; with `securityToken` it stands for an STS credential. */
export interface OssCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** One query parameter as sent; `value` is undefined for a bare key such as `?acl`. */
export interface QueryParameter {
  readonly key: string;
  readonly value: string | undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Splits the query of a raw request path into decoded parameters, in order. Unlike
 * URLSearchParams it keeps `+` as a plus: OSS signs spaces as `%20` and never as `+`.
 */
export function parseRawQuery(rawPath: string): QueryParameter[] {
  const at = rawPath.indexOf('?');
  if (at < 0) return [];
  return rawPath
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { key: decode(pair), value: undefined } : { key: decode(pair.slice(0, eq)), value: decode(pair.slice(eq + 1)) };
    });
}

/** A request as the signature checks see it. */
export interface SignedRequest {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly query: readonly QueryParameter[];
  readonly headers: IncomingHttpHeaders;
  /** The region of this endpoint, bare (`cn-hangzhou`). */
  readonly region: string;
  readonly now: number;
}

/**
 * Percent-encodes per RFC 3986 as OSS V4 wants it: only `A-Z a-z 0-9 - _ . ~` stay (and `/` when
 * `keepSlash`); everything else, `!'()*` included, becomes `%XX` of its UTF-8 bytes.
 */
function uriEncode(value: string, keepSlash = false): string {
  const encoded = encodeURIComponent(value).replace(/[!'()*]/gu, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/gu, '/') : encoded;
}

/** A header as one string: repeated values joined with commas, as OSS reads them. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** What goes into an OSS V4 canonical request. */
export interface CanonicalRequestInput {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  /** The query parameters to sign (for a presigned URL: all but `x-oss-signature`). */
  readonly query: readonly QueryParameter[];
  readonly headers: IncomingHttpHeaders;
  /** Lower-case names of the extra signed headers, e.g. `host`. */
  readonly additionalHeaders: readonly string[];
}

function isAlwaysSigned(name: string): boolean {
  return name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-');
}

/**
 * The six-part OSS V4 canonical request: method, `/<bucket>/<key>` URI-encoded with `/` kept,
 * the sorted query (a key without value stands bare), the signed headers each followed by a
 * newline, the additional header names, and the payload hash.
 */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const uri = uriEncode(`/${input.bucket}/${input.key}`, true);
  const query = input.query
    .map(({ key, value }) => ({ key: uriEncode(key), value: value === undefined || value === '' ? undefined : uriEncode(value) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, value }) => (value === undefined ? key : `${key}=${value}`))
    .join('&');
  const names = new Set(input.additionalHeaders);
  for (const name of Object.keys(input.headers)) if (isAlwaysSigned(name)) names.add(name);
  const headers = [...names]
    .sort()
    .map((name) => `${name}:${(headerValue(input.headers, name) ?? '').trim()}\n`)
    .join('');
  const payloadHash = headerValue(input.headers, 'x-oss-content-sha256') ?? UNSIGNED_PAYLOAD;
  return [input.method.toUpperCase(), uri, query, headers, input.additionalHeaders.join(';'), payloadHash].join('\n');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The credential scope `<yyyymmdd>/<region>/oss/aliyun_v4_request`. */
function credentialScope(date: string, region: string): string {
  return `${date}/${region}/oss/aliyun_v4_request`;
}

/** The string to sign: algorithm, `x-oss-date` value, scope and the hex SHA-256 of the canonical request. */
export function stringToSignV4(ossDate: string, region: string, canonical: string): string {
  const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return [V4_ALGORITHM, ossDate, credentialScope(ossDate.slice(0, 8), region), hash].join('\n');
}

/** The lower-case hex OSS V4 signature of `stringToSign`, keyed by the secret, date and region. */
export function signatureV4(secret: string, ossDate: string, region: string, stringToSign: string): string {
  const dateKey = hmac(`aliyun_v4${secret}`, ossDate.slice(0, 8));
  const signingKey = hmac(hmac(hmac(dateKey, region), 'oss'), 'aliyun_v4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Checks a V4 credential `<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request` against the
 * request date and the emulator's region, and returns the matching key. An STS key also needs
 * its security token.
 */
function findCredential(
  credential: string,
  ossDate: string,
  region: string,
  securityToken: string | undefined,
  credentials: readonly OssCredential[],
): OssCredential {
  const parts = credential.split('/');
  const [keyId = '', date = '', scopeRegion = '', product = '', terminator = ''] = parts;
  if (parts.length !== 5 || product !== 'oss' || terminator !== 'aliyun_v4_request') {
    throw new OssApiError('InvalidArgument', `the credential "${credential}" is not <AccessKeyId>/<date>/<region>/oss/aliyun_v4_request`);
  }
  if (date !== ossDate.slice(0, 8)) throw new OssApiError('InvalidArgument', `the credential date ${date} does not match x-oss-date ${ossDate}`);
  if (scopeRegion !== region) {
    throw new OssApiError('SignatureDoesNotMatch', `the credential region ${scopeRegion} is not this endpoint's region ${region}`);
  }
  const found = credentials.find((candidate) => candidate.accessKeyId === keyId);
  if (!found) throw new OssApiError('InvalidAccessKeyId', undefined, { OSSAccessKeyId: keyId });
  if (found.securityToken !== undefined && found.securityToken !== securityToken) throw new OssApiError('InvalidSecurityToken');
  return found;
}

/**
 * Recomputes the V4 signature of `canonical` and compares it with the one given, in constant
 * time. A mismatch answers SignatureDoesNotMatch with the canonical request and string to sign,
 * as OSS does, so a client author can see where the two sides differ.
 */
function matchSignature(given: string, secret: string, ossDate: string, region: string, canonical: string): void {
  const stringToSign = stringToSignV4(ossDate, region, canonical);
  const expected = Buffer.from(signatureV4(secret, ossDate, region, stringToSign), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new OssApiError('SignatureDoesNotMatch', undefined, { CanonicalRequest: canonical, StringToSign: stringToSign });
  }
}

/** Splits `Credential=…,AdditionalHeaders=…,Signature=…` (after the algorithm) into its fields. */
function parseAuthorization(value: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of value.slice(V4_ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return fields;
}

/**
 * Checks `Authorization: OSS4-HMAC-SHA256 Credential=…,[AdditionalHeaders=…,]Signature=…` as
 * ali-oss sends it with `authorizationV4: true`; returns the caller's key.
 */
function verifyHeaderSignature(request: SignedRequest, authorization: string, credentials: readonly OssCredential[]): OssCredential {
  const fields = parseAuthorization(authorization);
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (credential === undefined || signature === undefined) {
    throw new OssApiError('InvalidArgument', 'the Authorization header needs Credential and Signature');
  }
  if (fields.get('AdditionalHeaders') === '') throw new OssApiError('InvalidArgument', 'AdditionalHeaders must not be empty when given');
  const ossDate = headerValue(request.headers, 'x-oss-date') ?? '';
  const at = parseOssDate(ossDate);
  if (at === undefined) throw new OssApiError('InvalidArgument', 'x-oss-date is missing or not YYYYMMDDTHHMMSSZ');
  if (Math.abs(request.now - at) > OssEmulatorLimits.maxClockSkewMs) {
    throw new OssApiError('RequestTimeTooSkewed', undefined, { RequestTime: ossDate, ServerTime: new Date(request.now).toISOString() });
  }
  const found = findCredential(credential, ossDate, request.region, headerValue(request.headers, 'x-oss-security-token'), credentials);
  const additionalHeaders = (fields.get('AdditionalHeaders') ?? '').split(';').filter((name) => name !== '');
  const canonical = canonicalRequest({ ...request, additionalHeaders });
  matchSignature(signature, found.accessKeySecret, ossDate, request.region, canonical);
  return found;
}

function required(params: ReadonlyMap<string, string | undefined>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw new OssApiError('InvalidArgument', `the presigned URL has no ${name}`);
  return value;
}

/**
 * Checks a V4 presigned URL (`x-oss-signature-version=OSS4-HMAC-SHA256` with `x-oss-credential`,
 * `x-oss-date`, `x-oss-expires`, `x-oss-signature`): the expiry first, then the signature over
 * every query parameter but `x-oss-signature`. Returns the caller's key.
 */
function verifyPresignedUrl(request: SignedRequest, credentials: readonly OssCredential[]): OssCredential {
  const params = new Map(request.query.map(({ key, value }) => [key, value] as const));
  if (params.get('x-oss-signature-version') !== V4_ALGORITHM) {
    throw new OssApiError('InvalidArgument', `x-oss-signature-version must be ${V4_ALGORITHM}`);
  }
  const ossDate = required(params, 'x-oss-date');
  const at = parseOssDate(ossDate);
  if (at === undefined) throw new OssApiError('InvalidArgument', 'x-oss-date is not YYYYMMDDTHHMMSSZ');
  const expiresText = required(params, 'x-oss-expires');
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || expires < OssEmulatorLimits.minExpiresSeconds || expires > OssEmulatorLimits.maxExpiresSeconds) {
    throw new OssApiError('InvalidArgument', `x-oss-expires ${expiresText} is not a whole number of seconds in 1..604800`);
  }
  if (request.now > at + expires * 1000) {
    throw new OssApiError('AccessDenied', 'Request has expired.', {
      Expires: new Date(at + expires * 1000).toISOString(),
      ServerTime: new Date(request.now).toISOString(),
    });
  }
  const found = findCredential(required(params, 'x-oss-credential'), ossDate, request.region, params.get('x-oss-security-token'), credentials);
  const additionalHeaders = (params.get('x-oss-additional-headers') ?? '').split(';').filter((name) => name !== '');
  const query = request.query.filter(({ key }) => key !== 'x-oss-signature');
  const canonical = canonicalRequest({ ...request, query, additionalHeaders });
  matchSignature(required(params, 'x-oss-signature'), found.accessKeySecret, ossDate, request.region, canonical);
  return found;
}

/**
 * Authenticates a request by its V4 `Authorization` header or its V4 presigned query. V1
 * (`OSS <id>:<sig>`, `Signature=` URLs) is refused: the project signs with V4 only. Buckets are
 * private, so an unsigned request is refused too.
 */
export function verifyRequest(request: SignedRequest, credentials: readonly OssCredential[]): OssCredential {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization !== undefined && authorization !== '') {
    if (authorization.startsWith(`${V4_ALGORITHM} `)) return verifyHeaderSignature(request, authorization, credentials);
    throw new OssApiError('AccessDenied', 'the local OSS accepts OSS4-HMAC-SHA256 (V4) signatures only');
  }
  if (request.query.some(({ key }) => key === 'x-oss-signature')) return verifyPresignedUrl(request, credentials);
  if (request.query.some(({ key }) => key === 'Signature' || key === 'OSSAccessKeyId')) {
    throw new OssApiError('AccessDenied', 'the local OSS accepts V4 presigned URLs only');
  }
  throw new OssApiError('AccessDenied', 'You have no right to access this object because of bucket acl.');
}
