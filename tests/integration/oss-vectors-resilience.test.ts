import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator, OssVectorsEmulatorOptions } from '../../local/oss-vectors';
import { OssVectorsClient, OssVectorsNetworkError, OssVectorsUnavailableError, scanVectors } from '../../shared/clients/oss-vectors';
import { RetriesExhaustedError } from '../../shared/retry';

const BUCKET = 'sync-test';
const SHAPE = { dimension: 4, distanceMetric: 'euclidean' } as const;
const running: OssVectorsEmulator[] = [];
const folders: string[] = [];

async function start(options: OssVectorsEmulatorOptions = {}): Promise<OssVectorsEmulator> {
  // These tests are about the calls themselves: no quota and no searchable delay unless a test asks for them.
  const emulator = await startOssVectorsEmulator({ writeQuota: false, searchableDelayMs: 0, ...options });
  running.push(emulator);
  return emulator;
}

function clientFor(emulator: OssVectorsEmulator, maxAttempts = 4): OssVectorsClient {
  const credential = emulator.credentials[0]!;
  return new OssVectorsClient({
    region: emulator.region,
    accountId: emulator.accountId,
    credentials: { accessKeyId: credential.accessKeyId, accessKeySecret: credential.accessKeySecret },
    endpoint: emulator.endpoint,
    indexWriteQps: 1000, indexWriteVectorsPerSecond: 1_000_000,
    maxAttempts,
    baseDelayMs: 5,
    maxDelayMs: 40,
  });
}

async function prepare(client: OssVectorsClient, count: number): Promise<string[]> {
  await client.putVectorBucket(BUCKET);
  await client.putVectorIndex({ bucket: BUCKET, indexName: 'docs', ...SHAPE });
  const keys = Array.from({ length: count }, (_, i) => `doc-${i}`);
  for (let i = 0; i < keys.length; i += 500) {
    const vectors = keys.slice(i, i + 500).map((key, j) => ({ key, data: [i + j, 1, 2, 3], metadata: { n: String(i + j) } }));
    await client.putVectors({ bucket: BUCKET, indexName: 'docs', index: SHAPE, vectors });
  }
  return keys;
}

afterEach(async () => {
  for (const emulator of running.splice(0)) await emulator.close();
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe('OSS Vectors client resilience and emulator persistence', () => {
  it('recovers from injected 503s and a dropped connection', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    await prepare(client, 1);
    emulator.server.faults.add({ operation: 'PutVectors', kind: 'status', status: 503, count: 2 });
    emulator.server.faults.add({ operation: 'GetVectors', kind: 'drop', count: 1 });

    await client.putVectors({ bucket: BUCKET, indexName: 'docs', index: SHAPE, vectors: [{ key: 'after-503', data: [1, 1, 1, 1] }] });
    const got = await client.getVectors({ bucket: BUCKET, indexName: 'docs', keys: ['after-503'] });

    expect(got).toEqual([{ key: 'after-503' }]);
    expect(emulator.server.faults.list()).toEqual([]);
  });

  it('surfaces faults beyond the retry budget as a typed transient error', async () => {
    const emulator = await start();
    const client = clientFor(emulator, 3);
    await prepare(client, 1);
    emulator.server.faults.add({ operation: 'QueryVectors', kind: 'status', status: 503, count: 3 });
    emulator.server.faults.add({ operation: 'GetVectors', kind: 'drop', count: 3 });

    const query = await client.queryVectors({ bucket: BUCKET, indexName: 'docs', index: SHAPE, queryVector: [0, 0, 0, 0], topK: 1 }).catch((error: unknown) => error);
    const get = await client.getVectors({ bucket: BUCKET, indexName: 'docs', keys: ['doc-0'] }).catch((error: unknown) => error);

    expect(query).toBeInstanceOf(RetriesExhaustedError);
    expect(query).toMatchObject({ kind: 'transient', attempts: 3 });
    expect((query as Error).cause).toBeInstanceOf(OssVectorsUnavailableError);
    expect((query as Error).cause).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect((get as Error).cause).toBeInstanceOf(OssVectorsNetworkError);
  });

  it('honours Retry-After on a 429', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    await prepare(client, 1);
    emulator.server.faults.add({ operation: 'GetVectors', kind: 'status', status: 429, count: 1, headers: { 'retry-after': '1' } });

    const started = Date.now();
    await client.getVectors({ bucket: BUCKET, indexName: 'docs', keys: ['doc-0'] });

    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('keeps buckets, indexes and vectors across a restart with the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ossv-'));
    folders.push(dataDir);
    const first = await start({ dataDir });
    const keys = await prepare(clientFor(first), 1200);
    await clientFor(first).deleteVectors({ bucket: BUCKET, indexName: 'docs', keys: ['doc-5'] });
    await first.close();
    running.splice(running.indexOf(first), 1);

    const second = await start({ dataDir });
    const client = clientFor(second);
    const index = await client.getVectorIndex({ bucket: BUCKET, indexName: 'docs' });
    const got = await client.getVectors({ bucket: BUCKET, indexName: 'docs', keys: ['doc-4', 'doc-5', 'doc-1199'], returnData: true, returnMetadata: true });
    const seen: string[] = [];
    for await (const vector of scanVectors(client, { bucket: BUCKET, indexName: 'docs', segmentCount: 4 })) seen.push(vector.key);

    expect(index).toMatchObject({ dimension: 4, distanceMetric: 'euclidean' });
    expect(got).toEqual([
      { key: 'doc-4', data: { float32: [4, 1, 2, 3] }, metadata: { n: '4' } },
      { key: 'doc-1199', data: { float32: [1199, 1, 2, 3] }, metadata: { n: '1199' } },
    ]);
    expect(seen.length).toBe(keys.length - 1);
  });

  it('covers every key exactly once across parallel ListVectors segments', async () => {
    const emulator = await start();
    const client = clientFor(emulator);
    const keys = await prepare(client, 2500);

    const seen: string[] = [];
    for await (const vector of scanVectors(client, { bucket: BUCKET, indexName: 'docs', segmentCount: 16, maxResults: 100 })) seen.push(vector.key);
    const segmentSizes = await Promise.all(
      Array.from({ length: 3 }, async (_, segmentIndex) => (await client.listVectors({ bucket: BUCKET, indexName: 'docs', segmentCount: 3, segmentIndex, maxResults: 1000 })).vectors.length),
    );

    expect(seen.length).toBe(keys.length);
    expect([...seen].sort()).toEqual([...keys].sort());
    expect(segmentSizes.every((size) => size > 0)).toBe(true);
  });
});
