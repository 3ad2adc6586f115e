import { canonicalRequest } from './canonicalRequest';
import { OssEmulatorLimits, V4_ALGORITHM } from './constants';
import { OssApiError } from './errors';
import { findCredential } from './findCredential';
import { matchSignature } from './matchSignature';
import { parseOssDate } from '../../shared/clients/oss-vectors/signer';
import type { OssCredential, SignedRequest } from './types';

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
export function verifyPresignedUrl(request: SignedRequest, credentials: readonly OssCredential[]): OssCredential {
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
