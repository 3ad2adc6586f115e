import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, canonicalRequest, canonicalUri, signRequest } from '../../shared/clients/oss-vectors/signer';

// The cases of reference/oss-vectors.md §7, produced with the official Python V2 SDK.
const DATE = new Date(1702743657 * 1000);
const COMMON = { region: 'cn-hangzhou', accountId: '1234567890', date: DATE };
const PUT_BODY = '{"indexName":"idx1","vectors":[{"key":"doc-1","data":{"float32":[0.1,0.2,0.3]},"metadata":{"lang":"en"}}]}';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function signatureOf(authorization: string | undefined): string | undefined {
  return /Signature=([0-9a-f]+)$/u.exec(authorization ?? '')?.[1];
}

interface SignatureCase {
  readonly name: string;
  readonly method: string;
  readonly bucket: string | undefined;
  readonly rawQuery: string;
  readonly headers: Record<string, string>;
  readonly credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  readonly canonicalHash: string;
  readonly signature: string;
}

describe('OSS V4 signer (vectors variant)', () => {
  it.each<SignatureCase>([
    {
      name: 'PutVectors',
      method: 'POST',
      bucket: 'demo-bucket',
      rawQuery: 'putVectors',
      headers: { 'content-md5': 'tAeaKnUGkubJ/ckCkrY6KQ==', 'content-type': 'application/json' },
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      canonicalHash: '65da5fcc3aa666e825dd32f04d297c655f8fbe80cfa547e305ee1eceac04918e',
      signature: '26cc3944e33591e7cf2a467db360a52c6e3703a59f3cc141cf6ca6ce298cdf26',
    },
    {
      name: 'ListVectorBuckets',
      method: 'GET',
      bucket: undefined,
      rawQuery: 'max-keys=10&prefix=demo',
      headers: {},
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      canonicalHash: '836983bef6de3ae04a06691ac532431f78491f37bc0a7e0c6d830062fdaf62e0',
      signature: '240672821b03f5bd155c496abf034bf8081b401546e22687c4e36dd29445a06f',
    },
    {
      name: 'GetVectorBucket with an STS token',
      method: 'GET',
      bucket: 'demo-bucket',
      rawQuery: 'bucketInfo',
      headers: {},
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk', securityToken: 'tok' },
      canonicalHash: 'b8c7f445786ad1c51ef2d941bb41419bf763e013e60bafd59e95ea00163e9196',
      signature: '391965a2e026fee5e3fdfebaf42f9ec1c47349a005c6b915985fa73a4079c013',
    },
  ])('reproduces the reference signature of $name', ({ method, bucket, rawQuery, headers, credentials, canonicalHash, signature }) => {
    // Prepare
    const input = { ...COMMON, method, rawQuery, headers, credentials, ...(bucket ? { bucket } : {}) };

    // Act
    const signed = signRequest(input);
    const canonical = canonicalRequest({ method, uri: canonicalUri(COMMON.region, COMMON.accountId, bucket), query: canonicalQuery(rawQuery), headers: signed });

    // Assess
    expect(sha256(canonical)).toBe(canonicalHash);
    expect(signatureOf(signed.authorization)).toBe(signature);
    expect(signed.authorization).toBe(`OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=${signature}`);
  });

  it('builds the PutVectors canonical request line by line as the reference shows', () => {
    const md5 = createHash('md5').update(PUT_BODY).digest('base64');
    const signed = signRequest({ ...COMMON, method: 'POST', bucket: 'demo-bucket', rawQuery: '?putVectors', headers: { 'content-md5': md5, 'content-type': 'application/json' }, credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' } });

    const canonical = canonicalRequest({ method: 'POST', uri: canonicalUri('cn-hangzhou', '1234567890', 'demo-bucket'), query: canonicalQuery('putVectors'), headers: signed });

    expect(md5).toBe('tAeaKnUGkubJ/ckCkrY6KQ==');
    expect(canonical.split('\n')).toEqual([
      'POST',
      '/acs%3Aossvector%3Acn-hangzhou%3A1234567890%3Ademo-bucket/',
      'putVectors',
      'content-md5:tAeaKnUGkubJ/ckCkrY6KQ==',
      'content-type:application/json',
      'x-oss-content-sha256:UNSIGNED-PAYLOAD',
      'x-oss-date:20231216T162057Z',
      '',
      '',
      'UNSIGNED-PAYLOAD',
    ]);
  });

  it('encodes the service resource with an empty account', () => {
    expect(canonicalUri('cn-hangzhou', '1234567890')).toBe('/acs%3Aossvector%3Acn-hangzhou%3A%3A/');
  });

  it('sorts query parameters by key and keeps bare subresources', () => {
    expect(canonicalQuery('prefix=demo&max-keys=10&listVectors')).toBe('listVectors&max-keys=10&prefix=demo');
  });

  it('names additional headers sorted and never sends an empty AdditionalHeaders', () => {
    const signed = signRequest({ ...COMMON, method: 'GET', bucket: 'b1', rawQuery: 'bucketInfo', headers: { host: 'h' }, credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' }, additionalHeaders: ['host'] });
    const plain = signRequest({ ...COMMON, method: 'GET', bucket: 'b1', rawQuery: 'bucketInfo', headers: {}, credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' } });

    expect(signed.authorization).toContain(',AdditionalHeaders=host,Signature=');
    expect(plain.authorization).not.toContain('AdditionalHeaders');
  });
});
