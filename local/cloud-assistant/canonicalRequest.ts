import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Percent-encoding of the ACS3 canonical query: RFC 3986, so `!'()*` are encoded too. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/gu, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

/**
 * The ACS3 canonical request: method, path, sorted and encoded query, the signed headers as
 * `name:value` lines, the signed-header list, and the payload hash.
 */
export function canonicalRequest(method: string, url: URL, headers: IncomingHttpHeaders, signedHeaders: readonly string[], payloadHash: string): string {
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${headerValue(headers, name)}\n`).join('');
  return [method.toUpperCase(), url.pathname, query, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

/** The ACS3-HMAC-SHA256 string to sign for a canonical request. */
export function acs3StringToSign(canonical: string): string {
  return `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
