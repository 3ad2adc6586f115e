import { timingSafeEqual } from 'node:crypto';
import { OssApiError } from './errors';
import { signatureV4, stringToSignV4 } from './signatureV4';

/**
 * Recomputes the V4 signature of `canonical` and compares it with the one given, in constant
 * time. A mismatch answers SignatureDoesNotMatch with the canonical request and string to sign,
 * as OSS does, so a client author can see where the two sides differ.
 */
export function matchSignature(given: string, secret: string, ossDate: string, region: string, canonical: string): void {
  const stringToSign = stringToSignV4(ossDate, region, canonical);
  const expected = Buffer.from(signatureV4(secret, ossDate, region, stringToSign), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new OssApiError('SignatureDoesNotMatch', undefined, { CanonicalRequest: canonical, StringToSign: stringToSign });
  }
}
