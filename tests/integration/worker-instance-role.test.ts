// The worker with the instance RAM role: STS keys from the local ECS metadata service (token and
// plain mode, retries, refusals), then OSS Vectors calls signed with them against the emulator.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor, ExitCode } from '../../ecs/cli';
import type { InstanceRoleCredentialsError } from '../../ecs/instanceRoleCredentials';
import { openWorkerContext, ossClientFor, resolveWorkerCredentials } from '../../ecs/context';
import { fetchInstanceRoleCredentials } from '../../ecs/instanceRoleCredentials';
import { startEcsMetadataEmulator } from '../../local/ecs-metadata';
import type { EcsMetadataEmulator, EcsMetadataEmulatorOptions, EcsRoleCredential } from '../../local/ecs-metadata';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator } from '../../local/oss-vectors';
import { OssVectorsAccessDeniedError } from '../../shared/clients/oss-vectors';
import { loadConfig, WorkerConfigSchema } from '../../shared/config';
import { roleFailureOf } from '../helpers/roleFailure';

const ROLE = 'vector-sync-worker';
const STS: EcsRoleCredential = { accessKeyId: 'STS.NTestRoleKeyId', accessKeySecret: 'test-role-secret', securityToken: 'CAIS-test-role-token' };
const closers: (() => Promise<void>)[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function metadata(options: EcsMetadataEmulatorOptions = {}): Promise<EcsMetadataEmulator> {
  const emulator = await startEcsMetadataEmulator({ roleName: ROLE, credential: STS, ...options });
  closers.push(() => emulator.close());
  return emulator;
}

async function vectors(): Promise<OssVectorsEmulator> {
  const emulator = await startOssVectorsEmulator({ credentials: [STS] });
  closers.push(() => emulator.close());
  return emulator;
}

function fetchFrom(emulator: EcsMetadataEmulator, roleName = ROLE) {
  return fetchInstanceRoleCredentials({ roleName, endpoint: emulator.endpoint, baseDelayMs: 5 });
}

function failureOf(promise: Promise<unknown>): Promise<InstanceRoleCredentialsError> {
  return roleFailureOf(promise, Object.values(STS));
}

function workerEnv(meta: EcsMetadataEmulator, oss: OssVectorsEmulator): Record<string, string> {
  return {
    SUPABASE_DB_URL: 'postgres://worker:pw@127.0.0.1:1/postgres',
    OSS_VECTORS_REGION: oss.region,
    OSS_VECTORS_ENDPOINT: oss.endpoint,
    ALIBABA_ACCOUNT_ID: oss.accountId,
    VECTOR_BUCKET: 'docs-vectors',
    ALIBABA_CLOUD_ECS_METADATA: ROLE,
    ECS_METADATA_ENDPOINT: meta.endpoint,
  };
}

describe('fetchInstanceRoleCredentials against the local metadata service', () => {
  it('takes a token first and sends it (hardened mode)', async () => {
    // Arrange
    const meta = await metadata({ requireToken: true });
    // Act
    const credentials = await fetchFrom(meta);
    // Assert
    expect(credentials).toMatchObject(STS);
    expect(credentials.expiration.getTime()).toBeGreaterThan(Date.now());
    expect(meta.calls.map((call) => [call.method, call.operation, call.withToken, call.status])).toEqual([
      ['PUT', 'GetMetadataToken', false, 200],
      ['GET', 'GetRoleCredentials', true, 200],
    ]);
  });

  it('falls back to a plain GET when the service has no token API', async () => {
    // Arrange
    const meta = await metadata({ tokenApi: false });
    // Act
    const credentials = await fetchFrom(meta);
    // Assert
    expect(credentials).toMatchObject(STS);
    expect(meta.calls.map((call) => [call.method, call.withToken, call.status])).toEqual([
      ['PUT', false, 404],
      ['GET', false, 200],
    ]);
  });

  it('retries a failing service and then succeeds', async () => {
    // Arrange
    const meta = await metadata({ failCredentialRequests: 2 });
    // Act
    const credentials = await fetchFrom(meta);
    // Assert
    expect(credentials).toMatchObject(STS);
    expect(meta.calls.filter((call) => call.method === 'GET').map((call) => call.status)).toEqual([500, 500, 200]);
  });

  it('gives up after three attempts with an error naming the role', async () => {
    // Arrange
    const meta = await metadata({ failCredentialRequests: 5 });
    // Act
    const error = await failureOf(fetchFrom(meta));
    // Assert
    expect(error.message).toMatch(new RegExp(`^instance RAM role ${ROLE}: the metadata service at .* failed 3 time\\(s\\); last: the credentials request answered 500$`, 'u'));
    expect(meta.calls.filter((call) => call.method === 'GET')).toHaveLength(3);
  });

  it('refuses an answer whose Code is not Success', async () => {
    // Arrange
    const meta = await metadata({ code: 'Failed' });
    // Act
    const error = await failureOf(fetchFrom(meta));
    // Assert
    expect(error.message).toBe(`instance RAM role ${ROLE}: the metadata service answered Code "Failed", not "Success"`);
  });

  it('reports a role the instance does not have (404) without retrying', async () => {
    // Arrange
    const meta = await metadata();
    // Act
    const error = await failureOf(fetchFrom(meta, 'some-other-role'));
    // Assert
    expect(error.message).toMatch(/^instance RAM role some-other-role: the metadata service does not know the role \(404\)/u);
    expect(meta.calls.filter((call) => call.method === 'GET')).toHaveLength(1);
    // The worker exits with the settings code: the operator fixes the instance, not the data.
    expect(exitCodeFor(error)).toBe(ExitCode.Settings);
  });

  it('refuses expired keys', async () => {
    // Arrange
    const meta = await metadata({ credential: { ...STS, expiration: '2020-01-01T00:00:00Z' } });
    // Act
    const error = await failureOf(fetchFrom(meta));
    // Assert
    expect(error.message).toContain('the credentials expired at 2020-01-01T00:00:00.000Z');
  });
});

describe('the worker signing OSS Vectors calls with the instance role', () => {
  it('is accepted with the role STS keys and token', async () => {
    // Arrange
    const [meta, oss] = await Promise.all([metadata({ requireToken: true }), vectors()]);
    const config = loadConfig('worker', WorkerConfigSchema, workerEnv(meta, oss));
    // Act
    const resolved = await resolveWorkerCredentials(config, { baseDelayMs: 5 });
    const client = ossClientFor(config, resolved.credentials);
    await client.putVectorBucket('docs-vectors');
    const bucket = await client.getVectorBucket('docs-vectors');
    // Assert
    expect(resolved.mode).toBe('instance-role');
    expect(resolved.credentials).toEqual(STS);
    expect(bucket.Name).toMatch(/:docs-vectors$/u);
  });

  it('is refused when the STS token does not match the keys', async () => {
    // Arrange
    const [meta, oss] = await Promise.all([metadata(), vectors()]);
    meta.setCredential({ ...STS, securityToken: 'CAIS-some-other-token' });
    const config = loadConfig('worker', WorkerConfigSchema, workerEnv(meta, oss));
    // Act
    const resolved = await resolveWorkerCredentials(config, { baseDelayMs: 5 });
    const act = ossClientFor(config, resolved.credentials).putVectorBucket('docs-vectors');
    // Assert
    await expect(act).rejects.toBeInstanceOf(OssVectorsAccessDeniedError);
    await expect(act).rejects.toThrow(/security token/iu);
  });

  it('opens the worker context from a settings file with only the role', async () => {
    // Arrange
    const [meta, oss] = await Promise.all([metadata({ requireToken: true }), vectors()]);
    const dir = mkdtempSync(join(tmpdir(), 'worker-role-'));
    dirs.push(dir);
    const settings = join(dir, 'worker.env');
    writeFileSync(settings, Object.entries(workerEnv(meta, oss)).map(([key, value]) => `${key}=${value}`).join('\n'));
    chmodSync(settings, 0o600);
    const lines: string[] = [];
    // Act
    const ctx = await openWorkerContext(settings, (line) => lines.push(line), { index: 'docs' });
    try {
      await ctx.oss.putVectorBucket('docs-vectors');
      const bucket = await ctx.oss.getVectorBucket('docs-vectors');
      // Assert
      expect(bucket.Name).toMatch(/:docs-vectors$/u);
      expect(meta.calls.some((call) => call.operation === 'GetRoleCredentials' && call.status === 200)).toBe(true);
      for (const value of Object.values(STS)) expect(lines.join('\n')).not.toContain(value);
    } finally {
      await ctx.close();
    }
  });

  it('fails to open the context when the role is not attached', async () => {
    // Arrange
    const [meta, oss] = await Promise.all([metadata({ roleName: 'another-role' }), vectors()]);
    const dir = mkdtempSync(join(tmpdir(), 'worker-role-'));
    dirs.push(dir);
    const settings = join(dir, 'worker.env');
    writeFileSync(settings, Object.entries(workerEnv(meta, oss)).map(([key, value]) => `${key}=${value}`).join('\n'));
    chmodSync(settings, 0o600);
    // Act
    const act = openWorkerContext(settings, () => undefined, {});
    // Assert
    await expect(act).rejects.toThrow(`instance RAM role ${ROLE}: the metadata service does not know the role (404)`);
  });
});
