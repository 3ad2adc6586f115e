import { V4_ALGORITHM } from './constants';
import { OssApiError } from './errors';
import type { OssCredential, SignedRequest } from './types';
import { verifyHeaderSignature } from './verifyHeaderSignature';
import { verifyPresignedUrl } from './verifyPresignedUrl';

/**
 * Authenticates a request by its V4 `Authorization` header or its V4 presigned query. V1
 * (`OSS <id>:<sig>`, `Signature=` URLs) is refused: the project signs with V4 only. Buckets are
 * private, so an unsigned request is refused too.
 */
export function verifyRequest(request: SignedRequest, credentials: readonly OssCredential[]): OssCredential {
  const raw = request.headers.authorization;
  const authorization = Array.isArray(raw) ? raw.join(',') : raw;
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
