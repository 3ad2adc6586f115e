import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest } from '../http';
import { acs3StringToSign, canonicalRequest } from './canonicalRequest';
import { REQUIRED_SIGNED_HEADERS } from './constants';
import { CloudAssistantApiError } from './errors';
import type { EmulatorCredential } from './types';

const AUTHORIZATION = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/u;

/** What the signature check needs besides the request. */
export interface SignatureContext {
  readonly credentials: readonly EmulatorCredential[];
  readonly now: number;
  readonly maxClockSkewMs: number;
  /** Nonces already seen (a replayed request is refused). */
  readonly nonces: Set<string>;
}

function header(request: EmulatorRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function checkFreshness(request: EmulatorRequest, context: SignatureContext): void {
  const date = Date.parse(header(request, 'x-acs-date'));
  if (Number.isNaN(date) || Math.abs(context.now - date) > context.maxClockSkewMs) {
    throw new CloudAssistantApiError(400, 'InvalidTimeStamp.Expired', 'x-acs-date is missing or too far from the server time');
  }
  const nonce = header(request, 'x-acs-signature-nonce');
  if (context.nonces.has(nonce)) throw new CloudAssistantApiError(400, 'SignatureNonceUsed', 'the signature nonce has been used');
  context.nonces.add(nonce);
}

/**
 * Checks an `authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..` header
 * as the SDK writes it: known key, matching STS token when the key has one, payload hash, date and
 * nonce, and the HMAC-SHA256 of the canonical request with the key's secret. Returns the key id.
 */
export function verifyAcs3Signature(request: EmulatorRequest, context: SignatureContext): string {
  const match = AUTHORIZATION.exec(header(request, 'authorization'));
  if (!match) throw new CloudAssistantApiError(400, 'IncompleteSignature', 'the authorization header is missing or is not ACS3-HMAC-SHA256');
  const [, keyId = '', signedList = '', signature = ''] = match;
  const signedHeaders = signedList.split(';');
  const missing = REQUIRED_SIGNED_HEADERS.filter((name) => !signedHeaders.includes(name));
  if (missing.length > 0) throw new CloudAssistantApiError(400, 'IncompleteSignature', `the signature does not cover ${missing.join(', ')}`);
  const credential = context.credentials.find((candidate) => candidate.accessKeyId === keyId);
  if (!credential) throw new CloudAssistantApiError(404, 'InvalidAccessKeyId.NotFound', `access key ${keyId} does not exist`);
  const token = header(request, 'x-acs-security-token');
  if ((credential.securityToken ?? '') !== token) {
    throw new CloudAssistantApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'the security token is missing or does not match the access key');
  }
  const payloadHash = createHash('sha256').update(request.body).digest('hex');
  if (header(request, 'x-acs-content-sha256') !== payloadHash) {
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
