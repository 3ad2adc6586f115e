import { OssApiError } from './errors';
import type { OssCredential } from './types';

/**
 * Checks a V4 credential `<AccessKeyId>/<yyyymmdd>/<region>/oss/aliyun_v4_request` against the
 * request date and the emulator's region, and returns the matching key. An STS key also needs
 * its security token.
 */
export function findCredential(
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
