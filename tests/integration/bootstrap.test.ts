// `npm run bootstrap -- worker|index` against the local OSS, OSS Vectors and Postgres: the same
// script an operator runs for a new account, only endpoints and keys differ. Each step twice.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOss } from '../../local/oss';
import type { OssEmulator } from '../../local/oss';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator } from '../../local/oss-vectors';
import type { LocalPostgres } from '../../local/supabase';
import { OssObjectStore } from '../../shared/clients/oss';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { createSql } from '../../shared/ledger';
import { Ledger } from '../../shared/ledger';
import { startTestPostgres } from '../helpers/database';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const key = { accessKeyId: 'test-bootstrap-operator-key-id', accessKeySecret: 'operator-secret' };

let work: string;
let oss: OssEmulator;
let vectors: OssVectorsEmulator;
let pg: LocalPostgres;

interface StepResult {
  status: number | null;
  lines: Record<string, any>[];
  stdout: string;
}

async function step(args: string[], env: Record<string, string>): Promise<StepResult> {
  const child = spawn(tsx, [join(root, 'scripts/bootstrap.ts'), ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: work, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const [status] = (await once(child, 'close')) as [number | null];
  const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, any>);
  return { status, lines, stdout };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const build = spawn(tsx, [join(root, 'scripts/build.ts'), '--out-dir', join(work, 'dist')], { cwd: root, stdio: 'ignore' });
  const [built] = (await once(build, 'close')) as [number | null];
  expect(built).toBe(0);
  [oss, vectors, pg] = await Promise.all([
    startOss({ credentials: [key], buckets: ['vector-sync-artifacts'] }),
    startOssVectorsEmulator({ credentials: [key] }),
    startTestPostgres(),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([oss?.close(), vectors?.close(), pg?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('bootstrap worker', () => {
  const env = () => ({
    ALIBABA_CLOUD_REGION: oss.region,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
    VECTOR_SYNC_ARTIFACTS_BUCKET: 'vector-sync-artifacts',
    VECTOR_SYNC_WORKER_VERSION: '1.2.0',
    OSS_ENDPOINT: oss.endpoint,
  });

  it('uploads the bundle with its sha256 once, then finds it published', async () => {
    const bundle = join(work, 'dist/ecs/worker.js');
    const first = await step(['worker', '--bundle', bundle], env());
    expect(first.status, first.stdout).toBe(0);
    const uploaded = first.lines.at(-1);
    expect(uploaded).toMatchObject({ message: 'worker bundle uploaded', key: 'workers/1.2.0/worker.js', status: 'uploaded', sha256: expect.stringMatching(/^[0-9a-f]{64}$/u) });
    const store = new OssObjectStore({ endpoint: oss.endpoint, bucket: 'vector-sync-artifacts', region: oss.region, ...key });
    const head = await store.head('workers/1.2.0/worker.js');
    expect(head.exists && head.meta.sha256).toBe(uploaded?.sha256);

    const second = await step(['worker', '--bundle', bundle], env());
    expect(second.status, second.stdout).toBe(0);
    expect(second.lines.at(-1)).toMatchObject({ message: 'worker bundle already published', status: 'unchanged', sha256: uploaded?.sha256 });
    expect(second.stdout).not.toContain(key.accessKeySecret);
  }, 60_000);

  it('refuses other bytes under a published version', async () => {
    const other = join(work, 'other-worker.js');
    writeFileSync(other, 'console.log("another build")\n');
    const result = await step(['worker', '--bundle', other], env());
    expect(result.status).toBe(1);
    expect(result.lines.at(-1)?.error.message).toContain('versions are immutable');
  }, 60_000);

  it('names the missing settings', async () => {
    const { VECTOR_SYNC_ARTIFACTS_BUCKET: _bucket, ...partial } = env();
    const result = await step(['worker'], partial);
    expect(result.status).toBe(64);
    expect(result.lines[0]?.message).toContain('VECTOR_SYNC_ARTIFACTS_BUCKET is not set');
  }, 60_000);
});

describe('bootstrap index', () => {
  const env = () => ({
    ALIBABA_CLOUD_REGION: vectors.region,
    ALIBABA_CLOUD_ACCOUNT_ID: vectors.accountId,
    ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
    SUPABASE_DB_URL: pg.url,
    VECTOR_SYNC_VECTOR_BUCKET: 'vector-sync-vectors',
    VECTOR_INDEX: 'documents',
    OSS_VECTORS_ENDPOINT: vectors.endpoint,
  });

  it('creates the vector bucket and the first index, registers and activates it, and changes nothing the second time', async () => {
    const bundle = join(work, 'dist/ecs/worker.js');
    const first = await step(['index', '--bundle', bundle], env());
    expect(first.status, first.stdout).toBe(0);
    expect(first.lines.at(-1)).toMatchObject({ message: 'index ready', result: { ok: true, index: 'documentsv1', logical: 'documents', bucket: 'vector-sync-vectors', dimension: 384, active: 'documentsv1' } });
    const second = await step(['index', '--bundle', bundle], env());
    expect(second.status, second.stdout).toBe(0);
    expect(second.lines.at(-1)?.result).toEqual(first.lines.at(-1)?.result);
    expect(second.stdout).not.toContain(key.accessKeySecret);

    const client = new OssVectorsClient({ region: vectors.region, accountId: vectors.accountId, credentials: key, endpoint: vectors.endpoint });
    expect((await client.getVectorIndex({ bucket: 'vector-sync-vectors', indexName: 'documentsv1' })).dimension).toBe(384);
    const sql = createSql(pg.url, { max: 1 });
    try {
      expect((await new Ledger(sql).activeIndex('documents'))?.index_name).toBe('documentsv1');
    } finally {
      await sql.end({ timeout: 2 });
    }
  }, 120_000);

  it('refuses a generation name OSS Vectors would refuse', async () => {
    const result = await step(['index', '--index', 'documents-v2'], env());
    expect(result.status).toBe(64);
    expect(result.lines[0]?.message).toContain('--index: index name must start with a letter');
  }, 60_000);
});
