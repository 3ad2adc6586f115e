import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator, OssVectorsEmulatorOptions } from '../../local/oss-vectors';
import {
  OssVectorsAccessDeniedError,
  OssVectorsClient,
  OssVectorsNotFoundError,
  OssVectorsValidationError,
} from '../../shared/clients/oss-vectors';
import type { OssVectorsClientOptions, VectorFilter, VectorInput } from '../../shared/clients/oss-vectors';
import { sendHttp } from '../../shared/clients/oss-vectors/OssVectorsTransport';
import { signRequest } from '../../shared/clients/oss-vectors/signer';

const BUCKET = 'sync-test';
const running: OssVectorsEmulator[] = [];

async function start(options: OssVectorsEmulatorOptions = {}): Promise<OssVectorsEmulator> {
  // These tests are about the calls themselves: no quota and no searchable delay unless a test asks for them.
  const emulator = await startOssVectorsEmulator({ writeQuota: false, searchableDelayMs: 0, ...options });
  running.push(emulator);
  return emulator;
}

function clientFor(emulator: OssVectorsEmulator, overrides: Partial<OssVectorsClientOptions> = {}): OssVectorsClient {
  const credential = emulator.credentials[0]!;
  return new OssVectorsClient({
    region: emulator.region,
    accountId: emulator.accountId,
    credentials: { accessKeyId: credential.accessKeyId, accessKeySecret: credential.accessKeySecret },
    endpoint: emulator.endpoint,
    indexWriteQps: 1000, indexWriteVectorsPerSecond: 1_000_000,
    baseDelayMs: 5,
    maxDelayMs: 40,
    ...overrides,
  });
}

async function withIndex(emulator: OssVectorsEmulator, indexName: string, dimension: number, distanceMetric: 'cosine' | 'euclidean', nonFilterable?: string[]) {
  const client = clientFor(emulator);
  if (!(await client.listVectorBuckets()).buckets.some((bucket) => bucket.Name === BUCKET)) await client.putVectorBucket(BUCKET);
  await client.putVectorIndex({ bucket: BUCKET, indexName, dimension, distanceMetric, ...(nonFilterable ? { nonFilterableMetadataKeys: nonFilterable } : {}) });
  return client;
}

/** Sends a signed request that bypasses the client's checks, to prove the server enforces them. */
async function raw(emulator: OssVectorsEmulator, query: string, body: string, options: { date?: Date; secret?: string } = {}) {
  const credential = emulator.credentials[0]!;
  const host = `${BUCKET}-${emulator.accountId}.${emulator.region}.oss-vectors.aliyuncs.com`;
  const payload = Buffer.from(body);
  const headers = signRequest({
    method: 'POST',
    region: emulator.region,
    accountId: emulator.accountId,
    bucket: BUCKET,
    rawQuery: query,
    headers: { host, 'content-type': 'application/json', 'content-md5': createHash('md5').update(payload).digest('base64') },
    credentials: { accessKeyId: credential.accessKeyId, accessKeySecret: options.secret ?? credential.accessKeySecret },
    date: options.date ?? new Date(),
  });
  const answer = await sendHttp({ origin: new URL(emulator.endpoint), method: 'POST', path: `/?${query}`, headers, body: payload, timeoutMs: 5000 });
  const parsed = answer.body.length > 0 ? (JSON.parse(answer.body.toString('utf8')) as { Error?: { Code: string; RequestId: string } }) : {};
  return { status: answer.status, code: parsed.Error?.Code, requestId: parsed.Error?.RequestId };
}

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

describe('OSS Vectors client against the emulator', () => {
  it('runs the whole bucket, index and vector lifecycle', async () => {
    const emulator = await start();
    const client = clientFor(emulator);

    await client.putVectorBucket(BUCKET);
    const bucket = await client.getVectorBucket(BUCKET);
    const buckets = await client.listVectorBuckets({ prefix: 'sync' });
    await client.putVectorIndex({ bucket: BUCKET, indexName: 'docs1', dimension: 3, distanceMetric: 'cosine', nonFilterableMetadataKeys: ['body'] });
    const index = await client.getVectorIndex({ bucket: BUCKET, indexName: 'docs1' });
    const indexes = await client.listVectorIndexes({ bucket: BUCKET });
    await client.putVectors({ bucket: BUCKET, indexName: 'docs1', vectors: [{ key: 'a', data: [1, 0, 0], metadata: { lang: 'en', body: 'x' } }, { key: 'b', data: [0, 1, 0] }] });
    await client.putVectors({ bucket: BUCKET, indexName: 'docs1', vectors: [{ key: 'a', data: [0.9, 0.1, 0], metadata: { lang: 'de' } }] });
    const got = await client.getVectors({ bucket: BUCKET, indexName: 'docs1', keys: ['a', 'missing'], returnData: true, returnMetadata: true });
    const hits = await client.queryVectors({ bucket: BUCKET, indexName: 'docs1', queryVector: [1, 0, 0], topK: 2, returnDistance: true, returnMetadata: true });
    await client.deleteVectors({ bucket: BUCKET, indexName: 'docs1', keys: ['b', 'never-there'] });
    const listed = await client.listVectors({ bucket: BUCKET, indexName: 'docs1' });
    await client.deleteVectorIndex({ bucket: BUCKET, indexName: 'docs1' });

    expect(bucket.Name).toBe(`acs:ossvector:${emulator.region}:${emulator.accountId}:${BUCKET}`);
    expect(buckets.buckets.map((item) => item.Name)).toEqual([BUCKET]);
    expect(index).toMatchObject({ indexName: 'docs1', dimension: 3, distanceMetric: 'cosine', dataType: 'float32', metadata: { nonFilterableMetadataKeys: ['body'] } });
    expect(indexes.indexes.map((item) => item.indexName)).toEqual(['docs1']);
    expect(got).toEqual([{ key: 'a', data: { float32: [Math.fround(0.9), Math.fround(0.1), 0] }, metadata: { lang: 'de' } }]);
    expect(hits.map((hit) => hit.key)).toEqual(['a', 'b']);
    expect(hits[0]?.distance).toBeCloseTo(1 - 0.9 / Math.hypot(0.9, 0.1), 5);
    expect(listed.vectors).toEqual([{ key: 'a' }]);
    await expect(client.getVectorIndex({ bucket: BUCKET, indexName: 'docs1' })).rejects.toMatchObject({ name: 'OssVectorsNotFoundError', code: 'NoSuchVectorIndex', status: 404 });
    await expect(client.getVectorBucket('nobucket')).rejects.toBeInstanceOf(OssVectorsNotFoundError);
  });

  it('refuses a bad signature and a stale date with the OSS error body', async () => {
    const emulator = await start();
    await clientFor(emulator).putVectorBucket(BUCKET);

    const badSignature = await raw(emulator, 'listVectorIndexes', '{}', { secret: 'wrong-secret' });
    const stale = await raw(emulator, 'listVectorIndexes', '{}', { date: new Date(Date.now() - 20 * 60 * 1000) });
    const wrongKey = clientFor(emulator, { credentials: { accessKeyId: 'nobody', accessKeySecret: 'x' } });

    expect(badSignature).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(badSignature.requestId).toMatch(/^[0-9A-F]{24}$/u);
    expect(stale).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
    await expect(wrongKey.getVectorBucket(BUCKET)).rejects.toMatchObject({ code: 'InvalidAccessKeyId', status: 403, kind: 'permanent' });
    await expect(wrongKey.getVectorBucket(BUCKET)).rejects.toBeInstanceOf(OssVectorsAccessDeniedError);
  });

  it('checks every limit in the client before sending', async () => {
    const emulator = await start();
    const client = await withIndex(emulator, 'limits', 2, 'cosine');
    const put = (vectors: VectorInput[]) => client.putVectors({ bucket: BUCKET, indexName: 'limits', vectors });
    const many = Array.from({ length: 501 }, (_, i) => ({ key: `k${i}`, data: [1, 1] }));
    const metadata = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, 'v']));

    const cases: [Promise<unknown>, string][] = [
      [put(many), 'TooManyVectors'],
      [put([{ key: 'a', data: [1, 1] }, { key: 'a', data: [1, 2] }]), 'DuplicateKey'],
      [put([{ key: 'é'.repeat(513), data: [1, 1] }]), 'InvalidKey'],
      [put([{ key: '', data: [1, 1] }]), 'InvalidKey'],
      [put([{ key: 'a', data: [1, 1, 1] }]), 'DimensionMismatch'],
      [put([{ key: 'a', data: [1, Number.NaN] }]), 'NonFiniteValue'],
      [put([{ key: 'a', data: [0, 0] }]), 'ZeroVectorOnCosine'],
      // Checked as float32: 1e39 overflows to Infinity, 1e-46 underflows to 0.
      [put([{ key: 'a', data: [1, 1e39] }]), 'NonFiniteValue'],
      [put([{ key: 'a', data: [1e-46, -1e-46] }]), 'ZeroVectorOnCosine'],
      [client.queryVectors({ bucket: BUCKET, indexName: 'limits', queryVector: [1, 1e39], topK: 1 }), 'NonFiniteValue'],
      [put([{ key: 'a', data: [1, 1], metadata: { big: 'x'.repeat(41 * 1024) } }]), 'MetadataTooLarge'],
      [put([{ key: 'a', data: [1, 1], metadata }]), 'TooManyMetadataKeys'],
      [client.queryVectors({ bucket: BUCKET, indexName: 'limits', queryVector: [1, 1], topK: 31 }), 'InvalidTopK'],
    ];

    for (const [call, reason] of cases) {
      const error = await call.then(() => undefined, (thrown: unknown) => thrown);
      expect(error, reason).toBeInstanceOf(OssVectorsValidationError);
      expect((error as OssVectorsValidationError).reason).toBe(reason);
    }
    expect((await client.listVectors({ bucket: BUCKET, indexName: 'limits' })).vectors).toEqual([]);
  });

  it('enforces the same limits on the server', async () => {
    const emulator = await start();
    await withIndex(emulator, 'limits', 2, 'cosine', ['body']);
    const put = (vectors: unknown[]) => raw(emulator, 'putVectors', JSON.stringify({ indexName: 'limits', vectors }));
    const vector = (key: string, data: unknown[] = [1, 1], metadata?: object) => ({ key, data: { float32: data }, ...(metadata ? { metadata } : {}) });

    const answers = await Promise.all([
      put(Array.from({ length: 501 }, (_, i) => vector(`k${i}`))),
      put([vector('a'), vector('a')]),
      put([vector('k'.repeat(1025))]),
      put([vector('a', [1, 1, 1])]),
      raw(emulator, 'putVectors', '{"indexName":"limits","vectors":[{"key":"a","data":{"float32":[1,1e999]}}]}'),
      put([vector('a', [0, 0])]),
      put([vector('a', [1, 1], { body: 'x'.repeat(41 * 1024) })]),
      put([vector('a', [1, 1], Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`m${i}`, 'v'])))]),
      put([vector('a', [1, 1], { tag: 'x'.repeat(3000) })]),
      raw(emulator, 'queryVectors', JSON.stringify({ indexName: 'limits', queryVector: { float32: [1, 1] }, topK: 101 })),
      raw(emulator, 'queryVectors', JSON.stringify({ indexName: 'limits', queryVector: { float32: [1, 1] }, topK: 1, filter: { body: { $eq: 'x' } } })),
      raw(emulator, 'getVectors', JSON.stringify({ indexName: 'limits', keys: Array.from({ length: 101 }, (_, i) => `k${i}`) })),
      raw(emulator, 'deleteVectors', JSON.stringify({ indexName: 'limits', keys: ['a', 'a'] })),
      raw(emulator, 'listVectors', JSON.stringify({ indexName: 'limits', segmentCount: 17, segmentIndex: 0 })),
      raw(emulator, 'putVectorIndex', JSON.stringify({ indexName: 'bad-name', dataType: 'float32', dimension: 2, distanceMetric: 'cosine' })),
      raw(emulator, 'putVectorIndex', JSON.stringify({ indexName: 'big', dataType: 'float32', dimension: 4097, distanceMetric: 'cosine' })),
      raw(emulator, 'putVectors', JSON.stringify({ vectors: [] })),
      raw(emulator, 'queryVectors', JSON.stringify({ indexName: 'nope', queryVector: { float32: [1, 1] }, topK: 1 })),
      // float32 as the index stores it: 1e39 is Infinity, 1e-46 is 0.
      put([vector('a', [1, 1e39])]),
      put([vector('a', [1e-46, 1e-46])]),
      raw(emulator, 'queryVectors', JSON.stringify({ indexName: 'limits', queryVector: { float32: [1, 1e39] }, topK: 1 })),
    ]);

    expect(answers.slice(0, 17).map((answer) => [answer.status, answer.code])).toEqual([
      ...Array.from({ length: 16 }, () => [400, 'InvalidArgument']),
      [400, 'MissingArgument'],
    ]);
    expect(answers[17]).toMatchObject({ status: 404, code: 'NoSuchVectorIndex' });
    expect(answers.slice(18).map((answer) => [answer.status, answer.code])).toEqual([
      [400, 'InvalidArgument'],
      [400, 'InvalidArgument'],
      [400, 'InvalidArgument'],
    ]);
  });

  it('ranks by cosine and by euclidean distance differently', async () => {
    const emulator = await start();
    const cosine = await withIndex(emulator, 'cos', 2, 'cosine');
    await cosine.putVectorIndex({ bucket: BUCKET, indexName: 'euc', dimension: 2, distanceMetric: 'euclidean' });
    // "far" points the same way as the query but is long; "near" is close but at an angle.
    const vectors = [{ key: 'far', data: [10, 0] }, { key: 'near', data: [1, 0.5] }];
    await cosine.putVectors({ bucket: BUCKET, indexName: 'cos', vectors });
    await cosine.putVectors({ bucket: BUCKET, indexName: 'euc', vectors });

    const byCosine = await cosine.queryVectors({ bucket: BUCKET, indexName: 'cos', queryVector: [1, 0], topK: 2, returnDistance: true });
    const byEuclid = await cosine.queryVectors({ bucket: BUCKET, indexName: 'euc', queryVector: [1, 0], topK: 2, returnDistance: true });

    expect(byCosine.map((hit) => hit.key)).toEqual(['far', 'near']);
    expect(byCosine[0]?.distance).toBeCloseTo(0, 6);
    expect(byEuclid.map((hit) => hit.key)).toEqual(['near', 'far']);
    expect(byEuclid[0]?.distance).toBeCloseTo(0.5, 6);
    expect(byEuclid[1]?.distance).toBeCloseTo(9, 5);
  });

  it.each<[string, VectorFilter, string[]]>([
    ['$eq on a string', { genre: { $eq: 'comedy' } }, ['a']],
    ['$eq on an array element', { tags: { $eq: 'x' } }, ['a', 'c']],
    ['$ne', { genre: { $ne: 'comedy' } }, ['b', 'c']],
    ['$in', { genre: { $in: ['comedy', 'drama'] } }, ['a', 'b']],
    ['$nin', { genre: { $nin: ['comedy', 'drama'] } }, ['c']],
    ['$exists true', { year: { $exists: true } }, ['a', 'b']],
    ['$exists false', { year: { $exists: false } }, ['c']],
    ['$and', { $and: [{ genre: { $in: ['comedy', 'drama'] } }, { year: { $eq: '2020' } }] }, ['b']],
    ['$or', { $or: [{ genre: { $eq: 'comedy' } }, { year: { $eq: '2020' } }] }, ['a', 'b']],
  ])('filters with %s', async (_name, filter, expected) => {
    const emulator = await start();
    const client = await withIndex(emulator, 'films', 2, 'euclidean');
    await client.putVectors({
      bucket: BUCKET,
      indexName: 'films',
      vectors: [
        { key: 'a', data: [0, 0], metadata: { genre: 'comedy', year: '2019', tags: ['x', 'y'] } },
        { key: 'b', data: [1, 0], metadata: { genre: 'drama', year: '2020' } },
        { key: 'c', data: [2, 0], metadata: { genre: 'news', tags: ['x'] } },
      ],
    });

    const hits = await client.queryVectors({ bucket: BUCKET, indexName: 'films', queryVector: [0, 0], topK: 10, filter });

    expect(hits.map((hit) => hit.key)).toEqual(expected);
  });

  it('makes new writes searchable only after the configured delay', async () => {
    const emulator = await start({ searchableDelayMs: 400 });
    const client = await withIndex(emulator, 'late', 2, 'cosine');
    await client.putVectors({ bucket: BUCKET, indexName: 'late', vectors: [{ key: 'a', data: [1, 0] }] });

    const before = await client.queryVectors({ bucket: BUCKET, indexName: 'late', queryVector: [1, 0], topK: 1 });
    const readable = await client.getVectors({ bucket: BUCKET, indexName: 'late', keys: ['a'] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await client.queryVectors({ bucket: BUCKET, indexName: 'late', queryVector: [1, 0], topK: 1 });

    expect(before).toEqual([]);
    expect(readable).toEqual([{ key: 'a' }]);
    expect(after).toEqual([{ key: 'a' }]);
  });

  it('recovers from the index write quota (429) by retrying', async () => {
    const emulator = await start({ writeQuota: { requestsPerSecond: 5, vectorsPerSecond: 2500 } });
    const client = await withIndex(emulator, 'busy', 2, 'cosine');
    const throttled = clientFor(emulator, { indexWriteQps: 100, maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 800 });

    await Promise.all(Array.from({ length: 12 }, (_, i) => throttled.putVectors({ bucket: BUCKET, indexName: 'busy', index: { dimension: 2, distanceMetric: 'cosine' }, vectors: [{ key: `k${i}`, data: [1, i] }] })));
    const stored = await client.getVectors({ bucket: BUCKET, indexName: 'busy', keys: Array.from({ length: 12 }, (_, i) => `k${i}`) });

    expect(emulator.writeCounts()[`${BUCKET}/busy`]?.throttled).toBeGreaterThan(0);
    expect(stored).toHaveLength(12);
  });
});
