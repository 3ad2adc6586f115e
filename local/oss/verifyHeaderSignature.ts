import { canonicalRequest } from './canonicalRequest';
import { OssEmulatorLimits, V4_ALGORITHM } from './constants';
import { OssApiError } from './errors';
import { findCredential } from './findCredential';
import { matchSignature } from './matchSignature';
import { parseOssDate } from '../../shared/clients/oss-vectors/signer';
import type { OssCredential, SignedRequest } from './types';

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
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
export function verifyHeaderSignature(request: SignedRequest, authorization: string, credentials: readonly OssCredential[]): OssCredential {
  const fields = parseAuthorization(authorization);
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (credential === undefined || signature === undefined) {
    throw new OssApiError('InvalidArgument', 'the Authorization header needs Credential and Signature');
  }
  if (fields.get('AdditionalHeaders') === '') throw new OssApiError('InvalidArgument', 'AdditionalHeaders must not be empty when given');
  const ossDate = header(request, 'x-oss-date') ?? '';
  const at = parseOssDate(ossDate);
  if (at === undefined) throw new OssApiError('InvalidArgument', 'x-oss-date is missing or not YYYYMMDDTHHMMSSZ');
  if (Math.abs(request.now - at) > OssEmulatorLimits.maxClockSkewMs) {
    throw new OssApiError('RequestTimeTooSkewed', undefined, { RequestTime: ossDate, ServerTime: new Date(request.now).toISOString() });
  }
  const found = findCredential(credential, ossDate, request.region, header(request, 'x-oss-security-token'), credentials);
  const additionalHeaders = (fields.get('AdditionalHeaders') ?? '').split(';').filter((name) => name !== '');
  const canonical = canonicalRequest({ ...request, additionalHeaders });
  matchSignature(signature, found.accessKeySecret, ossDate, request.region, canonical);
  return found;
}
