import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OSS from 'ali-oss';
import { afterEach, describe, expect, it } from 'vitest';
import { startOss } from '../../local/oss';
import type { OssEmulator, OssEmulatorOptions } from '../../local/oss';
import {
  ContentTypes,
  OssAccessDeniedError,
  OssConfigError,
  OssNotFoundError,
  OssObjectStore,
  uploadReportArchive,
  uploadWorkerBundle,
} from '../../shared/clients/oss';
import type { OssClientConfig } from '../../shared/clients/oss';

const run = promisify(execFile);
let emulator: OssEmulator | undefined;
let clockOffsetMs = 0;
const folders: string[] = [];

async function start(options: OssEmulatorOptions = {}): Promise<OssEmulator> {
  emulator = await startOss({ now: () => Date.now() + clockOffsetMs, ...options });
  return emulator;
}

function storeFor(oss: OssEmulator, overrides: Partial<OssClientConfig> = {}) {
  const credential = oss.credentials[0];
  const sleeps: number[] = [];
  const store = new OssObjectStore(
    { region: oss.region, bucket: oss.bucket, endpoint: oss.endpoint, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '', ...overrides },
    { sleep: async (ms) => void sleeps.push(ms) },
  );
  return { store, sleeps };
}

function xmlCode(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/u.exec(xml)?.[1];
}

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  clockOffsetMs = 0;
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

describe('OssObjectStore against the OSS emulator (V4 signing)', () => {
  it('round-trips the worker bundle with its sha256 in metadata', async () => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss);
    const bundle = Buffer.from('#!/bin/sh\necho worker\n');

    // Act
    const uploaded = await uploadWorkerBundle(store, 'worker/worker-1.0.0.tgz', bundle);
    const head = await store.head('worker/worker-1.0.0.tgz');
    const got = await store.get('worker/worker-1.0.0.tgz');

    // Assess
    expect(uploaded.etag).toMatch(/^"[0-9A-F]{32}"$/u);
    expect(head).toMatchObject({ exists: true, contentType: ContentTypes.workerBundle, contentLength: bundle.length, etag: uploaded.etag, meta: { sha256: uploaded.sha256 } });
    expect(got.body.equals(bundle)).toBe(true);
    expect(got.meta.sha256).toBe(uploaded.sha256);
  });

  it('stores the report archive as HTML under a key with spaces and unicode', async () => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss);
    const key = 'reports/2024 run/résumé (1).html';

    // Act
    await uploadReportArchive(store, key, '<h1>Run report</h1>', { runid: 'r-1' });
    const got = await store.get(key);

    // Assess
    expect(got.contentType).toBe(ContentTypes.reportArchive);
    expect(got.body.toString('utf8')).toBe('<h1>Run report</h1>');
    expect(got.meta).toEqual({ runid: 'r-1' });
  });

  it('reports a missing key as NoSuchKey and a missing bucket as NoSuchBucket, without retrying', async () => {
    // Prepare
    const oss = await start();
    const { store, sleeps } = storeFor(oss);
    const { store: otherBucket } = storeFor(oss, { bucket: 'no-such-bucket' });

    // Act
    const missingKey = store.get('nope.txt');
    const missingBucket = otherBucket.get('nope.txt');
    // Settled before it is awaited below, so its rejection is never reported as unhandled.
    missingBucket.catch(() => undefined);

    // Assess
    await expect(missingKey).rejects.toBeInstanceOf(OssNotFoundError);
    await expect(missingKey).rejects.toMatchObject({ code: 'NoSuchKey', key: 'nope.txt' });
    await expect(missingBucket).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(store.head('nope.txt')).resolves.toEqual({ exists: false, key: 'nope.txt' });
    expect(sleeps).toEqual([]);
  });

  it('refuses a wrong secret with SignatureDoesNotMatch as a permanent error', async () => {
    // Prepare
    const oss = await start();
    const { store, sleeps } = storeFor(oss, { accessKeySecret: 'wrong-secret' });

    // Act
    const put = store.put('a.txt', 'x');

    // Assess
    await expect(put).rejects.toBeInstanceOf(OssAccessDeniedError);
    await expect(put).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', transient: false });
    expect(sleeps).toEqual([]);
  });

  it('reads the code of a refused HEAD from x-oss-err, since its answer has no body', async () => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss, { accessKeySecret: 'wrong-secret' });

    // Act
    const head = store.head('a.txt');

    // Assess
    await expect(head).rejects.toBeInstanceOf(OssAccessDeniedError);
    await expect(head).rejects.toMatchObject({ code: 'SignatureDoesNotMatch', details: { operation: 'HeadObject', status: 403 } });
  });

  it('recovers from two 503 answers to GetObject by retrying', async () => {
    // Prepare
    const oss = await start();
    const { store, sleeps } = storeFor(oss);
    await store.put('a.txt', 'hello');
    oss.server.faults.add({ operation: 'GetObject', kind: 'status', status: 503, count: 2 });

    // Act
    const got = await store.get('a.txt');

    // Assess
    expect(got.body.toString()).toBe('hello');
    expect(sleeps).toHaveLength(2);
    expect(oss.server.faults.list()).toEqual([]);
  });

  it('recovers from a dropped connection by retrying', async () => {
    // Prepare
    const oss = await start();
    const { store, sleeps } = storeFor(oss);
    oss.server.faults.add({ operation: 'PutObject', kind: 'drop', count: 1 });

    // Act
    await store.put('b.txt', 'after a drop');

    // Assess
    expect(sleeps).toHaveLength(1);
    expect((await store.get('b.txt')).body.toString()).toBe('after a drop');
  });

  it('gives up after maxAttempts when the 503s do not stop', async () => {
    // Prepare
    const oss = await start();
    const { store, sleeps } = storeFor(oss, { retry: { maxAttempts: 3 } });
    oss.server.faults.add({ operation: 'HeadObject', kind: 'status', status: 503, count: 5 });

    // Act
    const head = store.head('a.txt');

    // Assess
    await expect(head).rejects.toMatchObject({ name: 'RetriesExhaustedError', transient: true, attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });

  it('signs and verifies with STS credentials, and refuses a wrong token', async () => {
    // Prepare
    const credential = { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'token+with/odd=chars' };
    const oss = await start({ credentials: [credential] });
    const { store } = storeFor(oss, { securityToken: credential.securityToken });
    const { store: wrongToken } = storeFor(oss, { securityToken: 'stale' });

    // Act
    await store.put('sts.txt', 'sts');
    const url = await store.presignGet('sts.txt', 60);
    const response = await fetch(url);

    // Assess
    expect(url).toContain('x-oss-security-token=');
    expect(await response.text()).toBe('sts');
    await expect(wrongToken.get('sts.txt')).rejects.toMatchObject({ code: 'InvalidSecurityToken' });
  });

  it('keeps objects in a directory across restarts', async () => {
    // Prepare
    const directory = await mkdtemp(join(tmpdir(), 'oss-emulator-'));
    folders.push(directory);
    const first = await start({ directory });
    await storeFor(first).store.put('kept.txt', 'still here', { meta: { a: '1' } });
    await first.close();

    // Act
    const second = await start({ directory });
    const got = await storeFor(second).store.get('kept.txt');

    // Assess
    expect(got.body.toString()).toBe('still here');
    expect(got.meta).toEqual({ a: '1' });
  });

  it('refuses an IP endpoint, whose presigned URLs would lack the bucket', () => {
    expect(() => new OssObjectStore({ region: 'cn-hangzhou', bucket: 'b-1', endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', accessKeySecret: 's' })).toThrow(OssConfigError);
  });
});

describe('OSS emulator presigned V4 URLs', () => {
  it('serves a presigned GET to plain fetch and to curl', async () => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss);
    await store.put('worker/bundle.tgz', Buffer.from('bundle-bytes'));

    // Act
    const url = await store.presignGet('worker/bundle.tgz', 300);
    const response = await fetch(url);
    const curl = await run('curl', ['-fsS', url]);

    // Assess
    expect(new URL(url).pathname).toBe(`/${oss.bucket}/worker/bundle.tgz`);
    expect(new URL(url).searchParams.get('x-oss-signature-version')).toBe('OSS4-HMAC-SHA256');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('bundle-bytes');
    expect(curl.stdout).toBe('bundle-bytes');
  });

  it('refuses an expired URL with AccessDenied "Request has expired."', async () => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss);
    await store.put('a.txt', 'x');
    const url = await store.presignGet('a.txt', 60);
    clockOffsetMs = 61_000;

    // Act
    const response = await fetch(url);
    const body = await response.text();

    // Assess
    expect(response.status).toBe(403);
    expect(xmlCode(body)).toBe('AccessDenied');
    expect(body).toContain('<Message>Request has expired.</Message>');
  });

  it.each([
    ['another key', (url: URL) => void (url.pathname = url.pathname.replace('a.txt', 'b.txt'))],
    ['a changed signature', (url: URL) => url.searchParams.set('x-oss-signature', '0'.repeat(64))],
    ['a longer expiry', (url: URL) => url.searchParams.set('x-oss-expires', '3600')],
  ])('refuses a URL tampered with %s as SignatureDoesNotMatch', async (_name, tamper) => {
    // Prepare
    const oss = await start();
    const { store } = storeFor(oss);
    await store.put('a.txt', 'x');
    await store.put('b.txt', 'y');
    const url = new URL(await store.presignGet('a.txt', 60));
    tamper(url);

    // Act
    const response = await fetch(url);

    // Assess
    expect(response.status).toBe(403);
    expect(xmlCode(await response.text())).toBe('SignatureDoesNotMatch');
  });

  it('refuses an unsigned request and a V1-signed client', async () => {
    // Prepare
    const oss = await start();
    const credential = oss.credentials[0];
    const v1 = new OSS({ region: `oss-${oss.region}`, bucket: oss.bucket, endpoint: oss.endpoint, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '', sldEnable: true } as OSS.Options);

    // Act
    const unsigned = await fetch(`${oss.endpoint}/${oss.bucket}/a.txt`);
    const signedV1 = v1.put('a.txt', Buffer.from('x'));

    // Assess
    expect(unsigned.status).toBe(403);
    expect(xmlCode(await unsigned.text())).toBe('AccessDenied');
    await expect(signedV1).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('rejects an expiry outside 1..604800 seconds before signing', async () => {
    const oss = await start();
    const { store } = storeFor(oss);
    await expect(store.presignGet('a.txt', 604_801)).rejects.toBeInstanceOf(OssConfigError);
    await expect(store.presignGet('a.txt', 0)).rejects.toBeInstanceOf(OssConfigError);
  });
});
