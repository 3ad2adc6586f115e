// The worker's credential modes: the config check (instance RAM role or static keys, exactly one),
// resolving static keys, and the metadata answer checks of the role fetcher (a fake fetch).
import { describe, expect, it } from 'vitest';
import type { InstanceRoleCredentialsError } from '../../ecs/instanceRoleCredentials';
import { resolveWorkerCredentials } from '../../ecs/context';
import { fetchInstanceRoleCredentials } from '../../ecs/instanceRoleCredentials';
import { ComponentConfigSchemas, ConfigError, loadConfig, WorkerConfigSchema } from '../../shared/config';
import { roleFailureOf } from '../helpers/roleFailure';

const base = {
  SUPABASE_DB_URL: 'postgres://worker:pw@127.0.0.1:5432/postgres',
  OSS_VECTORS_REGION: 'cn-hangzhou',
  ALIBABA_ACCOUNT_ID: '1234567890123456',
  VECTOR_BUCKET: 'docs-vectors',
};
const KEYS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'test-key-id-not-real', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret' };
const SECRET_VALUES = ['STS.RoleKeyId', 'role-secret-value', 'role-token-value'];

function load(env: Record<string, string>) {
  return loadConfig('worker', WorkerConfigSchema, { ...base, ...env });
}

function configErrorOf(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('WorkerConfigSchema credential modes', () => {
  it('refuses settings with neither the role nor the keys, naming the variables', () => {
    // Act
    const error = configErrorOf(() => load({}));
    // Assert
    expect(error.variables).toEqual(['ALIBABA_CLOUD_ECS_METADATA']);
    expect(error.message).toContain('set ALIBABA_CLOUD_ECS_METADATA (the instance RAM role) or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('takes the role alone, with the default metadata endpoint', () => {
    // Act
    const config = load({ ALIBABA_CLOUD_ECS_METADATA: 'vector-sync-worker' });
    // Assert
    expect(config.ALIBABA_CLOUD_ECS_METADATA).toBe('vector-sync-worker');
    expect(config.ECS_METADATA_ENDPOINT).toBe('http://100.100.100.200');
    expect(config.ALIBABA_CLOUD_ACCESS_KEY_ID).toBe('');
  });

  it('takes the keys alone, with no role', () => {
    // Act
    const config = load(KEYS);
    // Assert
    expect(config.ALIBABA_CLOUD_ECS_METADATA).toBe('');
    expect(config.ALIBABA_CLOUD_ACCESS_KEY_ID).toBe(KEYS.ALIBABA_CLOUD_ACCESS_KEY_ID);
  });

  it('treats empty values as unset', () => {
    expect(() => load({ ALIBABA_CLOUD_ECS_METADATA: ' ', ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '' })).toThrow(ConfigError);
  });

  it('refuses both modes at once without quoting the values', () => {
    // Act
    const error = configErrorOf(() => load({ ...KEYS, ALIBABA_CLOUD_ECS_METADATA: 'vector-sync-worker' }));
    // Assert
    expect(error.variables).toEqual(['ALIBABA_CLOUD_ECS_METADATA']);
    expect(error.message).toContain('not both');
    expect(error.message).not.toContain(KEYS.ALIBABA_CLOUD_ACCESS_KEY_SECRET);
  });

  it('refuses a security token next to the role', () => {
    expect(configErrorOf(() => load({ ALIBABA_CLOUD_ECS_METADATA: 'r', ALIBABA_CLOUD_SECURITY_TOKEN: 'tok' })).message).toContain('ALIBABA_CLOUD_SECURITY_TOKEN');
  });

  it.each([
    [{ ALIBABA_CLOUD_ACCESS_KEY_ID: 'test-key-id-not-real' }, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
    [{ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret' }, 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
  ])('names the missing half of the keys (%o)', (env, missing) => {
    expect(configErrorOf(() => load(env)).variables).toEqual([missing]);
  });

  it('checks the role name and the metadata endpoint', () => {
    // Act
    const error = configErrorOf(() => load({ ALIBABA_CLOUD_ECS_METADATA: 'role/../x', ECS_METADATA_ENDPOINT: 'ftp://x' }));
    // Assert
    expect(error.variables).toEqual(['ALIBABA_CLOUD_ECS_METADATA', 'ECS_METADATA_ENDPOINT']);
  });

  it('names the credential problem along with other bad variables', () => {
    expect(configErrorOf(() => load({ VECTOR_BUCKET: 'Bad_Bucket' })).variables).toEqual(['VECTOR_BUCKET', 'ALIBABA_CLOUD_ECS_METADATA']);
  });

  it('keeps the object shape the deploy checks and the local stack read', () => {
    // Arrange
    const shape = ComponentConfigSchemas.worker.shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
    // Act
    const required = Object.keys(shape).filter((key) => !shape[key]?.safeParse(undefined).success);
    // Assert
    expect(Object.keys(shape)).toEqual(expect.arrayContaining(['ALIBABA_CLOUD_ECS_METADATA', 'ECS_METADATA_ENDPOINT', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET']));
    expect(required).not.toContain('ALIBABA_CLOUD_ACCESS_KEY_ID');
    expect(required).not.toContain('ALIBABA_CLOUD_ECS_METADATA');
  });
});

describe('resolveWorkerCredentials with static keys', () => {
  it('uses the keys and the optional token without calling the metadata service', async () => {
    // Arrange
    const fetchFails = (() => Promise.reject(new Error('no metadata call expected'))) as typeof fetch;
    // Act
    const plain = await resolveWorkerCredentials(load(KEYS), { fetch: fetchFails });
    const withToken = await resolveWorkerCredentials(load({ ...KEYS, ALIBABA_CLOUD_SECURITY_TOKEN: 'sts-token' }), { fetch: fetchFails });
    // Assert
    expect(plain).toEqual({ mode: 'static-keys', credentials: { accessKeyId: KEYS.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: KEYS.ALIBABA_CLOUD_ACCESS_KEY_SECRET } });
    expect(withToken.credentials.securityToken).toBe('sts-token');
  });
});

/** A fetch that answers from a list, one per call, and records the calls. */
function scripted(answers: readonly (Response | Error)[]) {
  const calls: { method: string; url: string; headers: Record<string, string> }[] = [];
  const fake = ((url: string, init: RequestInit = {}) => {
    calls.push({ method: init.method ?? 'GET', url, headers: (init.headers ?? {}) as Record<string, string> });
    const answer = answers[calls.length - 1];
    if (answer === undefined) return Promise.reject(new Error('unexpected call'));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }) as typeof fetch;
  return { fake, calls };
}

function credentialsBody(overrides: Record<string, unknown> = {}): Response {
  return new Response(
    JSON.stringify({
      AccessKeyId: SECRET_VALUES[0],
      AccessKeySecret: SECRET_VALUES[1],
      SecurityToken: SECRET_VALUES[2],
      Expiration: '2030-01-01T00:00:00Z',
      Code: 'Success',
      LastUpdated: '2029-12-31T18:00:00Z',
      ...overrides,
    }),
    { status: 200 },
  );
}

function failureOf(promise: Promise<unknown>): Promise<InstanceRoleCredentialsError> {
  return roleFailureOf(promise, SECRET_VALUES);
}

describe('fetchInstanceRoleCredentials answer checks', () => {
  const now = () => Date.parse('2029-12-31T20:00:00Z');

  it('sends the token on the credentials request and returns the keys with their expiration', async () => {
    // Arrange
    const { fake, calls } = scripted([new Response('metadata-token', { status: 200 }), credentialsBody()]);
    // Act
    const credentials = await fetchInstanceRoleCredentials({ roleName: 'worker-role', endpoint: 'http://metadata.test/', fetch: fake, now });
    // Assert
    expect(credentials).toEqual({ accessKeyId: SECRET_VALUES[0], accessKeySecret: SECRET_VALUES[1], securityToken: SECRET_VALUES[2], expiration: new Date('2030-01-01T00:00:00Z') });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'PUT http://metadata.test/latest/api/token',
      'GET http://metadata.test/latest/meta-data/ram/security-credentials/worker-role',
    ]);
    expect(calls[0]?.headers['x-aliyun-ecs-metadata-token-ttl-seconds']).toMatch(/^\d+$/u);
    expect(calls[1]?.headers['x-aliyun-ecs-metadata-token']).toBe('metadata-token');
  });

  it('refuses credentials that already expired', async () => {
    // Arrange
    const { fake } = scripted([new Response('t'), credentialsBody({ Expiration: '2029-12-31T19:00:00Z' })]);
    // Act
    const error = await failureOf(fetchInstanceRoleCredentials({ roleName: 'worker-role', fetch: fake, now }));
    // Assert
    expect(error.message).toMatch(/instance RAM role worker-role: the credentials expired at 2029-12-31T19:00:00/u);
  });

  it.each(['AccessKeySecret', 'SecurityToken', 'Expiration'])('refuses an answer without %s', async (field) => {
    // Arrange
    const { fake } = scripted([new Response('t'), credentialsBody({ [field]: undefined })]);
    // Act
    const error = await failureOf(fetchInstanceRoleCredentials({ roleName: 'worker-role', fetch: fake, now }));
    // Assert
    expect(error.message).toContain(`lacks ${field}`);
  });

  it('retries timeouts and network errors a bounded number of times', async () => {
    // Arrange
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { fake, calls } = scripted([timeout, new TypeError('fetch failed'), timeout, credentialsBody()]);
    // Act
    const error = await failureOf(fetchInstanceRoleCredentials({ roleName: 'worker-role', fetch: fake, now, attempts: 3, baseDelayMs: 1 }));
    // Assert
    expect(calls).toHaveLength(3);
    expect(error.message).toMatch(/failed 3 time\(s\); last: PUT \/latest\/api\/token: timed out/u);
  });

  it('retries an answer that is not JSON', async () => {
    // Arrange
    const { fake, calls } = scripted([new Response('t'), new Response('<html>'), new Response('t'), credentialsBody()]);
    // Act
    const credentials = await fetchInstanceRoleCredentials({ roleName: 'worker-role', fetch: fake, now, baseDelayMs: 1 });
    // Assert
    expect(credentials.accessKeyId).toBe(SECRET_VALUES[0]);
    expect(calls).toHaveLength(4);
  });
});
