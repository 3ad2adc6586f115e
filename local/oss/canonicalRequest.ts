import type { IncomingHttpHeaders } from 'node:http';
import { UNSIGNED_PAYLOAD } from './constants';
import type { QueryParameter } from './parseRawQuery';
import { uriEncode } from './uriEncode';

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

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
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
