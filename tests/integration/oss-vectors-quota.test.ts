// The OSS Vectors emulator enforces the index write quota as the cloud does: PutVectors and
// DeleteVectors of one index share requests and vectors per second, 429 Throttling over either and
// nothing written; PutVectorIndex at 5 a second. Time is the emulator's injected clock, so the
// tests assert outcomes, never durations.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOUD_WRITE_QUOTA, startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator, OssVectorsEmulatorOptions } from '../../local/oss-vectors';
import { sendHttp } from '../../shared/clients/oss-vectors/OssVectorsTransport';
import { signRequest } from '../../shared/clients/oss-vectors/signer';

const BUCKET = 'quota-test';
const running: OssVectorsEmulator[] = [];
/** The emulator's clock: moved by hand. */
const clock = { now: Date.now() };

async function start(options: OssVectorsEmulatorOptions = {}): Promise<OssVectorsEmulator> {
  clock.now = Date.now();
  const emulator = await startOssVectorsEmulator({ now: () => clock.now, searchableDelayMs: 0, ...options });
  running.push(emulator);
  return emulator;
}

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
});

/** One signed call as the client sends it; answers the status and the error code. */
async function call(emulator: OssVectorsEmulator, operation: string, body: unknown, method = 'POST'): Promise<{ status: number; code: string | undefined; json: Record<string, unknown> }> {
  const credential = emulator.credentials[0];
  const host = `${BUCKET}-${emulator.accountId}.${emulator.region}.oss-vectors.aliyuncs.com`;
  const payload = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  const headers = signRequest({
    method,
    region: emulator.region,
    accountId: emulator.accountId,
    bucket: BUCKET,
    rawQuery: operation,
    headers: { host, 'content-type': 'application/json', 'content-md5': createHash('md5').update(payload).digest('base64') },
    credentials: { accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' },
    date: new Date(clock.now),
  });
  const answer = await sendHttp({ origin: new URL(emulator.endpoint), method, path: operation === '' ? '/' : `/?${operation}`, headers, body: payload, timeoutMs: 5000 });
  const json = answer.body.length > 0 ? (JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>) : {};
  return { status: answer.status, code: (json.Error as { Code?: string } | undefined)?.Code, json };
}

async function withIndexes(emulator: OssVectorsEmulator, ...names: string[]): Promise<void> {
  expect((await call(emulator, '', undefined, 'PUT')).status).toBe(200);
  for (const indexName of names) {
    expect((await call(emulator, 'putVectorIndex', { indexName, dataType: 'float32', dimension: 2, distanceMetric: 'cosine' })).status).toBe(200);
    clock.now += 1000;
  }
}

function put(emulator: OssVectorsEmulator, indexName: string, count: number, from = 0) {
  return call(emulator, 'putVectors', { indexName, vectors: Array.from({ length: count }, (_, n) => ({ key: `k${from + n}`, data: { float32: [1, from + n + 1] } })) });
}

async function stored(emulator: OssVectorsEmulator, indexName: string, keys: string[]): Promise<number> {
  return ((await call(emulator, 'getVectors', { indexName, keys })).json.vectors as unknown[]).length;
}

describe('OSS Vectors emulator write quota (defaults: the cloud figures)', () => {
  it('refuses nothing from a writer paced at the quota: 500 vectors every 200 ms', async () => {
    // Prepare
    const emulator = await start();
    await withIndexes(emulator, 'paced');
    // Act
    const answers = [];
    for (let n = 0; n < 20; n += 1) {
      answers.push(await put(emulator, 'paced', 500, n * 500));
      clock.now += 200;
    }
    // Assert
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(emulator.writeCounts()[`${BUCKET}/paced`]).toEqual({ accepted: 20, throttled: 0, vectors: 10_000 });
  });

  it('answers 429 Throttling to the 6th request in one instant, and writes nothing of it', async () => {
    const emulator = await start();
    await withIndexes(emulator, 'burst');
    const answers = [];
    for (let n = 0; n < 6; n += 1) answers.push(await put(emulator, 'burst', 1, n));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers[5]?.code).toBe('Throttling');
    expect(await stored(emulator, 'burst', ['k4', 'k5'])).toBe(1);
  });

  it('answers 429 once the vectors of a second are spent, even with requests to spare', async () => {
    const emulator = await start({ writeQuota: { requestsPerSecond: 100, vectorsPerSecond: 1000 } });
    await withIndexes(emulator, 'heavy');
    const answers = [await put(emulator, 'heavy', 500), await put(emulator, 'heavy', 500, 500), await put(emulator, 'heavy', 500, 1000)];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    clock.now += 500;
    expect((await put(emulator, 'heavy', 500, 1000)).status).toBe(200);
  });

  it('counts deleted keys against the same quota, per index', async () => {
    const emulator = await start({ writeQuota: { requestsPerSecond: 100, vectorsPerSecond: 1000 } });
    await withIndexes(emulator, 'mixed', 'other');
    await put(emulator, 'mixed', 500);
    clock.now += 1000;
    const deleted = await call(emulator, 'deleteVectors', { indexName: 'mixed', keys: Array.from({ length: 500 }, (_, n) => `k${n}`) });
    const putAfter = await put(emulator, 'mixed', 500, 500);
    const refused = await put(emulator, 'mixed', 1, 1000);
    const otherIndex = await put(emulator, 'other', 500);
    expect([deleted.status, putAfter.status, refused.status, otherIndex.status]).toEqual([204, 200, 429, 200]);
  });

  it('lets everything through with writeQuota false', async () => {
    const emulator = await start({ writeQuota: false });
    await withIndexes(emulator, 'open');
    const answers = [];
    for (let n = 0; n < 12; n += 1) answers.push(await put(emulator, 'open', 500, n * 500));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });

  it('limits PutVectorIndex to 5 a second', async () => {
    const emulator = await start();
    expect((await call(emulator, '', undefined, 'PUT')).status).toBe(200);
    const answers = [];
    for (let n = 0; n < 6; n += 1) answers.push(await call(emulator, 'putVectorIndex', { indexName: `index${n}`, dataType: 'float32', dimension: 2, distanceMetric: 'cosine' }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    clock.now += 250;
    expect((await call(emulator, 'putVectorIndex', { indexName: 'index6', dataType: 'float32', dimension: 2, distanceMetric: 'cosine' })).status).toBe(200);
  });

  it('has the cloud figures as its default', () => {
    expect(CLOUD_WRITE_QUOTA).toEqual({ requestsPerSecond: 5, vectorsPerSecond: 2500 });
  });
});

describe('OSS Vectors emulator searchable delay (default: the cloud figure)', () => {
  it('hides a fresh vector from QueryVectors for about 2.5 s by default, then shows it', async () => {
    const emulator = await startOssVectorsEmulator({ now: () => clock.now, writeQuota: false });
    running.push(emulator);
    await withIndexes(emulator, 'late');
    await put(emulator, 'late', 1);
    const query = { indexName: 'late', queryVector: { float32: [1, 1] }, topK: 1 };
    const before = await call(emulator, 'queryVectors', query);
    clock.now += 2_000;
    const stillHidden = JSON.stringify(await queryKeys(emulator, query));
    clock.now += 1_000;
    const after = await queryKeys(emulator, query);
    expect(before.status).toBe(200);
    expect(stillHidden).toBe('[]');
    expect(after).toEqual(['k0']);
  });
});

async function queryKeys(emulator: OssVectorsEmulator, body: unknown): Promise<string[]> {
  return ((await call(emulator, 'queryVectors', body)).json.vectors as { key: string }[]).map((vector) => vector.key);
}
