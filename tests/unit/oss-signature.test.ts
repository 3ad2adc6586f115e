import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, parseRawQuery, resolveAddress, signatureV4, stringToSignV4 } from '../../local/oss';

// ali-oss's own signer, used as an independent oracle for our canonical request.
const signUtils = createRequire(import.meta.url)('ali-oss/lib/common/signUtils.js') as any;

describe('OSS V4 signing in the emulator', () => {
  it('derives the signing key as the reference test vector expects', () => {
    // Prepare: the PutVectors canonical request of reference section 7.
    const canonical = [
      'POST',
      '/acs%3Aossvector%3Acn-hangzhou%3A1234567890%3Ademo-bucket/',
      'putVectors',
      'content-md5:tAeaKnUGkubJ/ckCkrY6KQ==\ncontent-type:application/json\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\n',
      '',
      'UNSIGNED-PAYLOAD',
    ].join('\n');

    // Act
    const signature = signatureV4('sk', '20231216T162057Z', 'cn-hangzhou', stringToSignV4('20231216T162057Z', 'cn-hangzhou', canonical));

    // Assess
    expect(signature).toBe('26cc3944e33591e7cf2a467db360a52c6e3703a59f3cc141cf6ca6ce298cdf26');
  });

  it.each([
    ['a plain key', 'worker/bundle.tgz', {}],
    ['a key with spaces, unicode and reserved characters', "reports/a b/é(1)!*'+~.html", {}],
    ['a presigned query', 'k.txt', { 'x-oss-expires': '60', 'x-oss-credential': 'ak/20240101/cn-hangzhou/oss/aliyun_v4_request', 'x-oss-security-token': 'a+b/c=' }],
  ])('builds the same canonical request as ali-oss for %s', (_name, key, queries: Record<string, string>) => {
    // Prepare
    const headers = { 'content-type': 'text/html', 'x-oss-date': '20240101T000000Z', 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', 'x-oss-meta-sha256': 'abc' };
    const rawQuery = Object.entries(queries).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');

    // Act
    const ours = canonicalRequest({ method: 'PUT', bucket: 'b-1', key, query: parseRawQuery(`/x?${rawQuery}`), headers, additionalHeaders: [] });
    const theirs = signUtils.getCanonicalRequest('PUT', { headers, queries }, 'b-1', key, []);

    // Assess
    expect(ours).toBe(theirs);
  });

  it.each([
    ['path style on localhost', 'localhost:8080', '/b-1/dir/a%20b.txt', { bucket: 'b-1', key: 'dir/a b.txt', style: 'path' }],
    ['path style on an IP', '127.0.0.1:8080', '/b-1/k', { bucket: 'b-1', key: 'k', style: 'path' }],
    ['virtual-hosted on an OSS domain', 'b-1.oss-cn-hangzhou.aliyuncs.com', '/dir/k?x=1', { bucket: 'b-1', key: 'dir/k', style: 'virtual-hosted' }],
    ['a key with dot segments kept', 'localhost', '/b-1/a/../b', { bucket: 'b-1', key: 'a/../b', style: 'path' }],
  ])('resolves bucket and key for %s', (_name, host, path, expected) => {
    expect(resolveAddress(host, path)).toEqual(expected);
  });
});
