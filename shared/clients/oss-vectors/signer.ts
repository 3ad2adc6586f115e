// OSS V4 signing of vectors requests (OSS4-HMAC-SHA256): the canonical request, the derived key
// and the Authorization header. The local emulators check signatures with the same pieces.
import { createHash, createHmac } from 'node:crypto';

/** The signature algorithm name of OSS V4. */
export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** The `x-oss-content-sha256` value: vector calls never hash the body. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** The product segment of the V4 scope: `oss`, not `ossvector`, even for vector buckets. */
const SIGNING_PRODUCT = 'oss';

/** The last segment of the V4 scope. */
const SCOPE_TERMINATOR = 'aliyun_v4_request';

/** `x-oss-date` form of a time: UTC `YYYYMMDDTHHMMSSZ`. */
function formatOssDate(date: Date): string {
  return date.toISOString().replace(/[-:]/gu, '').replace(/\.\d{3}/u, '');
}

/** Reads an `x-oss-date` value as epoch milliseconds; undefined if malformed. */
export function parseOssDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/u.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const ms = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
  return Number.isNaN(ms) ? undefined : ms;
}

const UNRESERVED = /[A-Za-z0-9\-_.~/]/u;

function encodePath(text: string): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical URI of a vectors request: the resource ARN, not the request path, encoded as a
 * path (colons become `%3A`). Without a bucket it is the service resource of ListVectorBuckets.
 */
export function canonicalUri(region: string, accountId: string, bucket?: string): string {
  const resource = bucket === undefined ? `acs:ossvector:${region}::` : `acs:ossvector:${region}:${accountId}:${bucket}`;
  return encodePath(`/${resource}/`);
}

/**
 * The canonical query: the query string as sent (already encoded), parameters sorted by key and
 * joined with `&`; a value-less subresource stays a bare key.
 */
export function canonicalQuery(rawQuery: string): string {
  const text = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (text === '') return '';
  const params = text.split('&').filter((part) => part !== '');
  const keyOf = (part: string): string => (part.includes('=') ? part.slice(0, part.indexOf('=')) : part);
  return params.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a < b ? -1 : a > b ? 1 : 0)).join('&');
}

/** The parts of a request that a V4 signature covers. */
export interface CanonicalRequestInput {
  readonly method: string;
  /** From `canonicalUri`. */
  readonly uri: string;
  /** From `canonicalQuery`. */
  readonly query: string;
  /** Request headers by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Extra signed header names (e.g. `host`), lower case. */
  readonly additionalHeaders?: readonly string[];
}

function isSigned(name: string, additional: ReadonlySet<string>): boolean {
  return name.startsWith('x-oss-') || name === 'content-type' || name === 'content-md5' || additional.has(name);
}

/** The six-part canonical request of OSS V4 (header block, additional headers, payload hash). */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const additionalNames = [...new Set((input.additionalHeaders ?? []).map((name) => name.toLowerCase()))].sort();
  const additional = new Set(additionalNames);
  const lines = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && isSigned(entry[0], additional))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.trim()}\n`)
    .join('');
  const payload = input.headers['x-oss-content-sha256'] ?? UNSIGNED_PAYLOAD;
  return [input.method.toUpperCase(), input.uri, input.query, lines, additionalNames.join(';'), payload].join('\n');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The V4 scope: `<YYYYMMDD>/<region>/oss/aliyun_v4_request`. */
function signingScope(ossDate: string, region: string): string {
  return `${ossDate.slice(0, 8)}/${region}/${SIGNING_PRODUCT}/${SCOPE_TERMINATOR}`;
}

/** The four-line string to sign of a canonical request. */
function stringToSign(ossDate: string, region: string, canonical: string): string {
  const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return [V4_ALGORITHM, ossDate, signingScope(ossDate, region), hash].join('\n');
}

/** The lower-case hex V4 signature of a canonical request, from the derived signing key. */
export function computeSignature(accessKeySecret: string, ossDate: string, region: string, canonical: string): string {
  const k1 = hmac(`aliyun_v4${accessKeySecret}`, ossDate.slice(0, 8));
  const k2 = hmac(k1, region);
  const k3 = hmac(k2, SIGNING_PRODUCT);
  const k4 = hmac(k3, SCOPE_TERMINATOR);
  return createHmac('sha256', k4).update(stringToSign(ossDate, region, canonical), 'utf8').digest('hex');
}

/** Keys a request is signed with; `securityToken` for STS credentials. */
export interface OssCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** One request to sign. */
export interface SignInput {
  readonly method: string;
  readonly region: string;
  readonly accountId: string;
  /** Absent for the service-level call (ListVectorBuckets). */
  readonly bucket?: string;
  /** The query exactly as it will be sent, with or without the leading `?`. */
  readonly rawQuery: string;
  /** Headers to send, lower-case names; content-type and content-md5 are signed when present. */
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: OssCredentials;
  readonly date: Date;
  readonly additionalHeaders?: readonly string[];
}

/**
 * Signs a vectors request with OSS V4: adds `x-oss-date`, `x-oss-content-sha256` and the STS token
 * (all signed), and returns the headers to send with `Authorization` set.
 */
export function signRequest(input: SignInput): Record<string, string> {
  const ossDate = formatOssDate(input.date);
  const headers: Record<string, string> = { ...input.headers, 'x-oss-date': ossDate, 'x-oss-content-sha256': UNSIGNED_PAYLOAD };
  if (input.credentials.securityToken) headers['x-oss-security-token'] = input.credentials.securityToken;
  const additional = input.additionalHeaders ?? [];
  const canonical = canonicalRequest({
    method: input.method,
    uri: canonicalUri(input.region, input.accountId, input.bucket),
    query: canonicalQuery(input.rawQuery),
    headers,
    additionalHeaders: additional,
  });
  const signature = computeSignature(input.credentials.accessKeySecret, ossDate, input.region, canonical);
  const credential = `Credential=${input.credentials.accessKeyId}/${signingScope(ossDate, input.region)}`;
  // An empty AdditionalHeaders= is refused by OSS (EC 0002-00000209), so it is left out when unused.
  const extra = additional.length > 0 ? `,AdditionalHeaders=${[...additional].map((name) => name.toLowerCase()).sort().join(';')}` : '';
  headers.authorization = `${V4_ALGORITHM} ${credential}${extra},Signature=${signature}`;
  return headers;
}
