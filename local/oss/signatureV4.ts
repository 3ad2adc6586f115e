import { createHash, createHmac } from 'node:crypto';
import { V4_ALGORITHM } from './constants';

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The credential scope `<yyyymmdd>/<region>/oss/aliyun_v4_request`. */
export function credentialScope(date: string, region: string): string {
  return `${date}/${region}/oss/aliyun_v4_request`;
}

/** The string to sign: algorithm, `x-oss-date` value, scope and the hex SHA-256 of the canonical request. */
export function stringToSignV4(ossDate: string, region: string, canonical: string): string {
  const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
  return [V4_ALGORITHM, ossDate, credentialScope(ossDate.slice(0, 8), region), hash].join('\n');
}

/** The lower-case hex OSS V4 signature of `stringToSign`, keyed by the secret, date and region. */
export function signatureV4(secret: string, ossDate: string, region: string, stringToSign: string): string {
  const dateKey = hmac(`aliyun_v4${secret}`, ossDate.slice(0, 8));
  const signingKey = hmac(hmac(hmac(dateKey, region), 'oss'), 'aliyun_v4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
