import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EventBridgeApiError } from './errors';
import type { EmulatorCredential } from './types';

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** The string the SDK signs: method, MD5, type, date, sorted `x-acs-*` headers, path and sorted query. */
export function stringToSign(method: string, url: URL, headers: IncomingHttpHeaders): string {
  const acs = Object.keys(headers)
    .filter((name) => name.startsWith('x-acs-'))
    .sort()
    .map((name) => `${name}:${header(headers, name).replace(/[\t\n\r\f]/gu, ' ').trim()}\n`)
    .join('');
  const query = [...url.searchParams.keys()].sort().map((key) => `${key}=${url.searchParams.get(key) ?? ''}`);
  const resource = query.length === 0 ? url.pathname : `${url.pathname}?${query.join('&')}`;
  const lines = [method.toUpperCase(), header(headers, 'content-md5'), header(headers, 'content-type'), header(headers, 'date')];
  return `${lines.join('\n')}\n${acs}${resource}`;
}

/**
 * Checks `authorization: acs:<AccessKeyId>:<base64 HMAC-SHA1>` against the known keys; with an
 * STS key the `x-acs-security-token` must match too. Returns the caller's key id.
 */
export function verifySignature(method: string, url: URL, headers: IncomingHttpHeaders, credentials: readonly EmulatorCredential[]): string {
  // The SDK writes `acs:<id>:<sig>`; the doc sample shows `acs <id>:<sig>`; both are read.
  const match = /^acs[: ]([^:]+):(.+)$/u.exec(header(headers, 'authorization'));
  if (!match) throw new EventBridgeApiError(401, 'MissingAuthorization', 'the authorization header is missing or malformed');
  const [, keyId = '', signature = ''] = match;
  const credential = credentials.find((candidate) => candidate.accessKeyId === keyId);
  if (!credential) throw new EventBridgeApiError(403, 'InvalidAccessKeyId', `access key ${keyId} does not exist`);
  if (credential.securityToken !== undefined && header(headers, 'x-acs-security-token') !== credential.securityToken) {
    throw new EventBridgeApiError(403, 'InvalidSecurityToken', 'the security token is missing or does not match');
  }
  if (header(headers, 'date') === '') throw new EventBridgeApiError(400, 'MissingDate', 'the date header is missing');
  const expected = createHmac('sha1', credential.accessKeySecret).update(stringToSign(method, url, headers), 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new EventBridgeApiError(403, 'SignatureDoesNotMatch', 'the request signature does not match');
  }
  return keyId;
}
