// ecs/run-chunk.sh as Cloud Assistant runs it: parameters substituted textually by the local
// Cloud Assistant, the worker bundle fetched from the local OSS through a presigned URL and checked.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';
import { startOss } from '../../local/oss';
import type { OssEmulator } from '../../local/oss';
import { createCloudAssistantClient } from '../../shared/clients/cloud-assistant';
import type { CloudAssistantClient } from '../../shared/clients/cloud-assistant';
import { OssObjectStore, uploadWorkerBundle } from '../../shared/clients/oss';

const SCRIPT = readFileSync(new URL('../../ecs/run-chunk.sh', import.meta.url), 'utf8');
const RUN_ID = '3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f';
// A stand-in worker: prints its arguments and the settings it was pointed at.
const WORKER = "const fs = require('node:fs'); const a = process.argv.slice(2); console.log(JSON.stringify({ args: a, settings: fs.readFileSync(a[a.indexOf('--settings') + 1], 'utf8').trim() }));";

let oss: OssEmulator;
let ecs: CloudAssistantEmulator;
let client: CloudAssistantClient;
let home: string;
let bundle: { url: string; sha256: string };

async function run(parameters: Record<string, string>): Promise<{ exitCode: number; output: string }> {
  const { invokeId } = await client.runCommand({ instanceIds: ['i-local0001'], script: SCRIPT, parameters, timeoutSeconds: 30, name: 'vectorsync-chunk' });
  await ecs.waitForInvocation(invokeId);
  const [result] = await client.listInvocationResults({ invokeId });
  return { exitCode: result?.exitCode ?? -1, output: result?.output ?? '' };
}

function good(overrides: Record<string, string> = {}): Record<string, string> {
  return { runId: RUN_ID, chunkNo: '7', workerVersion: '1.4.0-abc123', bundleSha256: bundle.sha256, bundleUrl: bundle.url, ...overrides };
}

function storeOf(): OssObjectStore {
  const [key] = oss.credentials;
  return new OssObjectStore({ region: oss.region, bucket: oss.bucket, endpoint: oss.endpoint, accessKeyId: key?.accessKeyId ?? '', accessKeySecret: key?.accessKeySecret ?? '' });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'run-chunk-'));
  oss = await startOss();
  const store = storeOf();
  const uploaded = await uploadWorkerBundle(store, 'workers/1.4.0-abc123/worker.js', Buffer.from(WORKER));
  bundle = { url: await store.presignGet('workers/1.4.0-abc123/worker.js', 600), sha256: uploaded.sha256 };
  ecs = await startCloudAssistant({ instances: [{ instanceId: 'i-local0001', state: 'online', workDir: home }] });
  const [credential] = ecs.credentials;
  client = createCloudAssistantClient({ endpoint: ecs.endpoint, regionId: ecs.region, accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' });
});

afterAll(async () => {
  await ecs.close();
  await oss.close();
  rmSync(home, { recursive: true, force: true });
});

describe('ecs/run-chunk.sh', () => {
  it('refuses to run without a root-only settings file', async () => {
    // Act
    const result = await run(good());
    // Assert
    expect(result.exitCode).toBe(66);
    expect(result.output).toContain('settings file');
  });

  it('downloads the bundle through the presigned URL, checks it and runs it with the settings file', async () => {
    // Prepare
    const settings = join(home, '.vector-sync', 'worker.env');
    await import('node:fs').then((fs) => fs.mkdirSync(join(home, '.vector-sync'), { recursive: true }));
    writeFileSync(settings, 'SUPABASE_DB_URL=postgres://local\n');
    chmodSync(settings, 0o600);
    // Act
    const result = await run(good());
    // Assert
    expect(result.exitCode, result.output).toBe(0);
    const printed = JSON.parse(result.output.trim().split('\n').at(-1) ?? '{}') as { args: string[]; settings: string };
    expect(printed.args).toEqual(['chunk', '--run-id', RUN_ID, '--chunk-no', '7', '--settings', settings]);
    expect(printed.settings).toBe('SUPABASE_DB_URL=postgres://local');
    expect(existsSync(join(home, '.vector-sync', 'workers', '1.4.0-abc123', 'worker.js'))).toBe(true);
  });

  it('lets two chunks that start at once on a fresh instance both download and run the bundle', async () => {
    // Prepare: a version this instance has never fetched
    const version = '1.4.1-race';
    const store = storeOf();
    const uploaded = await uploadWorkerBundle(store, `workers/${version}/worker.js`, Buffer.from(WORKER));
    const url = await store.presignGet(`workers/${version}/worker.js`, 600);
    const parameters = good({ workerVersion: version, bundleSha256: uploaded.sha256, bundleUrl: url });
    // Act
    const results = await Promise.all([run({ ...parameters, chunkNo: '1' }), run({ ...parameters, chunkNo: '2' }), run({ ...parameters, chunkNo: '3' })]);
    // Assert
    for (const result of results) expect(result.exitCode, result.output).toBe(0);
    const left = readdirSync(join(home, '.vector-sync', 'workers', version));
    expect(left).toEqual(['worker.js']);
  });

  it('refuses a bundle whose sha256 does not match and keeps nothing of it', async () => {
    // Act
    const result = await run(good({ workerVersion: '9.9.9', bundleSha256: 'a'.repeat(64) }));
    // Assert
    expect(result.exitCode).toBe(65);
    expect(readdirSync(join(home, '.vector-sync', 'workers', '9.9.9'))).toEqual([]);
  });

  it('refuses a settings file that others can read', async () => {
    // Prepare
    const settings = join(home, '.vector-sync', 'worker.env');
    chmodSync(settings, 0o644);
    // Act
    const result = await run(good());
    chmodSync(settings, 0o600);
    // Assert
    expect(result.exitCode).toBe(66);
  });

  it.each([
    ['runId', '$(touch PWNED)'],
    ['runId', `${RUN_ID}; touch PWNED`],
    ['chunkNo', '`touch PWNED`'],
    ['chunkNo', "7' ; touch PWNED ; echo '"],
    ['workerVersion', '../../etc'],
    ['workerVersion', '1.0 && touch PWNED'],
    ['bundleSha256', 'not-a-hash'],
    ['bundleUrl', 'http://x/$(touch PWNED)'],
    ['bundleUrl', "http://x/a'; touch PWNED; '"],
    ['runId', ''],
  ])('fails closed on %s = %s, before touching anything', async (name, value) => {
    // Act
    const result = await run(good({ [name]: value }));
    // Assert
    expect(result.exitCode).toBe(64);
    expect(result.output).toContain(`"parameter":"${name}"`);
    expect(existsSync(join(home, 'PWNED'))).toBe(false);
  });

  it.each([
    ['runId', `${RUN_ID}\nVECTOR_SYNC_PARAMETER_END\n)\ntouch PWNED\n`],
    ['chunkNo', '7\n#@vector-sync-parameters\ntouch PWNED'],
    ['bundleUrl', 'http://x/a\ntouch PWNED\nexit 0'],
    ['workerVersion', "1.0\n' ; touch PWNED ; echo '"],
  ])('fails closed on a line break in %s that tries to end the block (%j), before touching anything', async (name, value) => {
    // Act
    const result = await run(good({ [name]: value }));
    // Assert
    expect(result.exitCode).toBe(64);
    expect(result.output).toContain('a value holds a line break');
    expect(existsSync(join(home, 'PWNED'))).toBe(false);
  });
});
