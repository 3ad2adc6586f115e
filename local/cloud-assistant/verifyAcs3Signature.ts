import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorRequest } from '../http';
import { CloudAssistantApiError } from './errors';

/** A key the emulator accepts; with `securityToken` it stands for STS credentials. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** What the signature check needs besides the request. */
export interface SignatureContext {
  readonly credentials: readonly EmulatorCredential[];
  readonly now: number;
  readonly maxClockSkewMs: number;
  /** Nonces already seen (a replayed request is refused). */
  readonly nonces: Set<string>;
}

const AUTHORIZATION = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/u;

/** Headers an ACS3 signature must cover. */
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'] as const;

/** Percent-encoding of the ACS3 canonical query: RFC 3986, so `!'()*` are encoded too. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/gu, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/**
 * The ACS3 canonical request: method, path, sorted and encoded query, the signed headers as
 * `name:value` lines, the signed-header list, and the payload hash.
 */
function canonicalRequest(method: string, url: URL, headers: IncomingHttpHeaders, signedHeaders: readonly string[], payloadHash: string): string {
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${header(headers, name).trim()}\n`).join('');
  return [method.toUpperCase(), url.pathname, query, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

/** The ACS3-HMAC-SHA256 string to sign for a canonical request. */
function acs3StringToSign(canonical: string): string {
  return `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}

function checkFreshness(request: EmulatorRequest, context: SignatureContext): void {
  const date = Date.parse(header(request.headers, 'x-acs-date'));
  if (Number.isNaN(date) || Math.abs(context.now - date) > context.maxClockSkewMs) {
    throw new CloudAssistantApiError(400, 'InvalidTimeStamp.Expired', 'x-acs-date is missing or too far from the server time');
  }
  const nonce = header(request.headers, 'x-acs-signature-nonce');
  if (context.nonces.has(nonce)) throw new CloudAssistantApiError(400, 'SignatureNonceUsed', 'the signature nonce has been used');
  context.nonces.add(nonce);
}

/**
 * Checks an `authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` header
 * as the SDK writes it: known key, matching STS token when the key has one, payload hash, date and
 * nonce, and the HMAC-SHA256 of the canonical request with the key's secret. Returns the key id.
 */
export function verifyAcs3Signature(request: EmulatorRequest, context: SignatureContext): string {
  const match = AUTHORIZATION.exec(header(request.headers, 'authorization'));
  if (!match) throw new CloudAssistantApiError(400, 'IncompleteSignature', 'the authorization header is missing or is not ACS3-HMAC-SHA256');
  const [, keyId = '', signedList = '', signature = ''] = match;
  const signedHeaders = signedList.split(';');
  const missing = REQUIRED_SIGNED_HEADERS.filter((name) => !signedHeaders.includes(name));
  if (missing.length > 0) throw new CloudAssistantApiError(400, 'IncompleteSignature', `the signature does not cover ${missing.join(', ')}`);
  const credential = context.credentials.find((candidate) => candidate.accessKeyId === keyId);
  if (!credential) throw new CloudAssistantApiError(404, 'InvalidAccessKeyId.NotFound', `access key ${keyId} does not exist`);
  const token = header(request.headers, 'x-acs-security-token');
  if ((credential.securityToken ?? '') !== token) {
    throw new CloudAssistantApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'the security token is missing or does not match the access key');
  }
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (header(request.headers, 'x-acs-content-sha256') !== payloadHash) {
    throw new CloudAssistantApiError(400, 'SignatureDoesNotMatch', 'x-acs-content-sha256 does not match the body');
  }
  const canonical = canonicalRequest(request.method, request.url, request.headers, signedHeaders, payloadHash);
  const expected = createHmac('sha256', credential.accessKeySecret).update(acs3StringToSign(canonical), 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CloudAssistantApiError(400, 'SignatureDoesNotMatch', 'the request signature does not match');
  }
  checkFreshness(request, context);
  return keyId;
}
