import { createHash, createHmac } from 'node:crypto';
import { SCOPE_TERMINATOR, SIGNING_PRODUCT, V4_ALGORITHM } from './constants';

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The V4 scope: `<YYYYMMDD>/<region>/oss/aliyun_v4_request`. */
export function signingScope(ossDate: string, region: string): string {
  return `${ossDate.slice(0, 8)}/${region}/${SIGNING_PRODUCT}/${SCOPE_TERMINATOR}`;
}

/** The four-line string to sign of a canonical request. */
export function stringToSign(ossDate: string, region: string, canonical: string): string {
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
