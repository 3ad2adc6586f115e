import { describe, expect, it } from 'vitest';
import {
  ChunkConfigSchema,
  CollectStatsConfigSchema,
  ComponentConfigSchemas,
  ConfigError,
  DispatchConfigSchema,
  NotifyConfigSchema,
  ReconcileConfigSchema,
  ValidateConfigSchema,
  WorkerConfigSchema,
  configGetter,
  loadConfig,
} from '../../shared/config';

const DB_URL = 'postgresql://postgres.abcdefghijkl:pw@aws-0-ap-southeast-1.pooler.supabase.com:6543/postgres';

/** An environment that satisfies every component. */
const fullEnv = {
  SUPABASE_DB_URL: DB_URL,
  EVENTBRIDGE_ENDPOINT: '1483726519304857.eventbridge.cn-hangzhou.aliyuncs.com',
  ECS_REGION_ID: 'cn-hangzhou',
  ECS_INSTANCE_IDS: 'i-bp1abcd1234,i-bp1efgh5678',
  WORKER_VERSION: '0.1.0',
  RESEND_API_KEY: 're_123',
  REPORT_FROM: 'vector-sync@example.com',
  REPORT_TO: 'ops@example.com',
  OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com',
  OSS_BUCKET: 'vector-sync-reports',
  OSS_VECTORS_REGION: 'cn-hangzhou',
  ALIBABA_ACCOUNT_ID: '1483726519304857',
  VECTOR_BUCKET: 'docs-vectors',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'test-key-id-not-real',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret',
};

const validateEnv = { SUPABASE_DB_URL: DB_URL, EVENTBRIDGE_ENDPOINT: fullEnv.EVENTBRIDGE_ENDPOINT, VECTOR_BUCKET: 'docs-vectors' };

const dispatchEnv = {
  SUPABASE_DB_URL: DB_URL,
  ECS_REGION_ID: 'cn-hangzhou',
  ECS_INSTANCE_IDS: 'i-bp1abcd1234',
  WORKER_VERSION: '0.1.0',
  OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com',
  OSS_BUCKET: 'vector-sync-artifacts',
};

const notifyEnv = {
  SUPABASE_DB_URL: DB_URL,
  RESEND_API_KEY: 're_123',
  REPORT_FROM: 'vector-sync@example.com',
  REPORT_TO: 'ops@example.com',
  OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com',
  OSS_BUCKET: 'vector-sync-reports',
};

/** The ConfigError that loading throws, or a failure if it does not throw one. */
function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it.each(Object.entries(ComponentConfigSchemas))('parses a complete environment for %s', (component, schema) => {
    // Act
    const config = loadConfig(component, schema, fullEnv) as Record<string, unknown>;
    // Assess
    expect(config.SUPABASE_DB_URL).toBe(DB_URL);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it.each(Object.entries(ComponentConfigSchemas))('names SUPABASE_DB_URL when %s lacks it', (component, schema) => {
    // Prepare
    const { SUPABASE_DB_URL: _dropped, ...env } = fullEnv;
    // Act
    const error = configErrorOf(() => loadConfig(component, schema, env));
    // Assess
    expect(error.variables).toEqual(['SUPABASE_DB_URL']);
    expect(error.message).toContain(`configuration of ${component} is invalid`);
    expect(error.message).toMatch(/SUPABASE_DB_URL: is not set \(the Postgres URL/);
  });

  it('throws a permanent ConfigError with code ConfigInvalid and the component in its details', () => {
    // Act
    const error = configErrorOf(() => loadConfig('validate', ValidateConfigSchema, { EVENTBRIDGE_ENDPOINT: validateEnv.EVENTBRIDGE_ENDPOINT, VECTOR_BUCKET: validateEnv.VECTOR_BUCKET }));
    // Assess
    expect(error.kind).toBe('permanent');
    expect(error.code).toBe('ConfigInvalid');
    expect(error.name).toBe('ConfigError');
    expect(error.details).toEqual({ component: 'validate', variables: ['SUPABASE_DB_URL'] });
  });

  it('names every missing variable', () => {
    // Act
    const error = configErrorOf(() => loadConfig('notify', NotifyConfigSchema, {}));
    // Assess
    const expected = ['SUPABASE_DB_URL', 'RESEND_API_KEY', 'REPORT_FROM', 'REPORT_TO', 'OSS_ENDPOINT', 'OSS_BUCKET'];
    expect([...error.variables].sort()).toEqual([...expected].sort());
    for (const variable of expected) expect(error.message).toContain(`${variable}: is not set`);
  });

  it('calls a variable set to blanks empty', () => {
    // Act
    const error = configErrorOf(() => loadConfig('dispatch', DispatchConfigSchema, { ...dispatchEnv, WORKER_VERSION: '   ' }));
    // Assess
    expect(error.variables).toEqual(['WORKER_VERSION']);
    expect(error.message).toMatch(/WORKER_VERSION: is empty \(the worker bundle version/);
  });

  it('applies the defaults of optional variables', () => {
    // Act
    const config = loadConfig('chunk', ChunkConfigSchema, { SUPABASE_DB_URL: DB_URL, EVENTBRIDGE_ENDPOINT: validateEnv.EVENTBRIDGE_ENDPOINT });
    // Assess
    expect(config).toEqual({
      SUPABASE_DB_URL: DB_URL,
      EVENTBRIDGE_ENDPOINT: validateEnv.EVENTBRIDGE_ENDPOINT,
      LOG_LEVEL: 'info',
      EVENT_BUS_NAME: 'vector-sync',
      CHUNK_MAX_IDS: 5_000,
      MAX_CHUNKS_IN_FLIGHT: 4,
    });
  });

  it.each([
    ['EVENT_BUS_NAME', '', 'vector-sync'],
    ['EVENT_BUS_NAME', '  ', 'vector-sync'],
    ['CHUNK_MAX_IDS', '', 5_000],
    ['MAX_CHUNKS_IN_FLIGHT', ' ', 4],
    ['LOG_LEVEL', '', 'info'],
  ])('treats %s=%j as unset', (variable, value, expected) => {
    // Act
    const config = loadConfig('chunk', ChunkConfigSchema, { ...validateEnv, [variable]: value }) as Record<string, unknown>;
    // Assess
    expect(config[variable]).toBe(expected);
  });

  it('takes a set value over the default, trimmed', () => {
    // Act
    const config = loadConfig('chunk', ChunkConfigSchema, { ...validateEnv, EVENT_BUS_NAME: ' other-bus ', CHUNK_MAX_IDS: ' 42 ' });
    // Assess
    expect(config.EVENT_BUS_NAME).toBe('other-bus');
    expect(config.CHUNK_MAX_IDS).toBe(42);
  });

  it.each([
    ['1', 1],
    ['500', 500],
    ['50000', 50_000],
  ])('accepts CHUNK_MAX_IDS=%s within its bounds', (value, expected) => {
    expect(loadConfig('chunk', ChunkConfigSchema, { ...validateEnv, CHUNK_MAX_IDS: value }).CHUNK_MAX_IDS).toBe(expected);
  });

  it.each([
    ['abc', 'must be a whole number'],
    ['1.5', 'must be a whole number'],
    ['1e2', 'must be a whole number'],
    ['0', 'must be at least 1'],
    ['-3', 'must be at least 1'],
    ['50001', 'must be at most 50000'],
  ])('rejects CHUNK_MAX_IDS=%s: %s', (value, message) => {
    // Act
    const error = configErrorOf(() => loadConfig('chunk', ChunkConfigSchema, { ...validateEnv, CHUNK_MAX_IDS: value }));
    // Assess
    expect(error.variables).toEqual(['CHUNK_MAX_IDS']);
    expect(error.message).toBe(`configuration of chunk is invalid: CHUNK_MAX_IDS: ${message}`);
  });

  it.each([
    ['chunk', ChunkConfigSchema],
    ['dispatch', DispatchConfigSchema],
    ['collect-stats', CollectStatsConfigSchema],
    ['reconcile', ReconcileConfigSchema],
  ] as const)('gives %s MAX_CHUNKS_IN_FLIGHT, 1 to 256, default 4', (component, schema) => {
    // Act
    const config = loadConfig(component, schema, { ...fullEnv, MAX_CHUNKS_IN_FLIGHT: '16' });
    const error = configErrorOf(() => loadConfig(component, schema, { ...fullEnv, MAX_CHUNKS_IN_FLIGHT: '257' }));
    // Assess
    expect(config.MAX_CHUNKS_IN_FLIGHT).toBe(16);
    expect(loadConfig(component, schema, fullEnv).MAX_CHUNKS_IN_FLIGHT).toBe(4);
    expect(error.message).toBe(`configuration of ${component} is invalid: MAX_CHUNKS_IN_FLIGHT: must be at most 256`);
  });

  it('splits ECS_INSTANCE_IDS on commas and drops blanks', () => {
    // Act
    const config = loadConfig('dispatch', DispatchConfigSchema, { ...dispatchEnv, ECS_INSTANCE_IDS: ' i-bp1abcd1234 , i-bp1efgh5678, ' });
    // Assess
    expect(config.ECS_INSTANCE_IDS).toEqual(['i-bp1abcd1234', 'i-bp1efgh5678']);
  });

  it('names ECS_INSTANCE_IDS when one id is bad', () => {
    // Act
    const error = configErrorOf(() => loadConfig('dispatch', DispatchConfigSchema, { ...dispatchEnv, ECS_INSTANCE_IDS: 'i-bp1abcd1234,vm-7' }));
    // Assess
    expect(error.variables).toEqual(['ECS_INSTANCE_IDS']);
    expect(error.message).toContain('ECS_INSTANCE_IDS: instance id must look like i-xxxxxxxx');
  });

  it('says ECS_INSTANCE_IDS lists nothing when it holds only commas', () => {
    // Act
    const error = configErrorOf(() => loadConfig('dispatch', DispatchConfigSchema, { ...dispatchEnv, ECS_INSTANCE_IDS: ' , ,' }));
    // Assess
    expect(error.variables).toEqual(['ECS_INSTANCE_IDS']);
    expect(error.message).toMatch(/ECS_INSTANCE_IDS: lists nothing \(comma-separated ids/);
  });

  it('reads REPORT_TO as a list of e-mail addresses', () => {
    // Act
    const config = loadConfig('notify', NotifyConfigSchema, { ...notifyEnv, REPORT_TO: 'ops@example.com, lead@example.org' });
    // Assess
    expect(config.REPORT_TO).toEqual(['ops@example.com', 'lead@example.org']);
  });

  it('names REPORT_TO when one address is bad', () => {
    // Act
    const error = configErrorOf(() => loadConfig('notify', NotifyConfigSchema, { ...notifyEnv, REPORT_TO: 'ops@example.com,not-an-email' }));
    // Assess
    expect(error.variables).toEqual(['REPORT_TO']);
    expect(error.message).toContain('REPORT_TO: must be an e-mail address');
  });

  it.each([
    'postgres://user:pw@localhost:5432/postgres',
    'postgresql://user:pw@db.example.supabase.co:5432/postgres',
    'postgres://localhost/db',
  ])('accepts the Postgres URL %s', (url) => {
    expect(loadConfig('validate', ValidateConfigSchema, { ...validateEnv, SUPABASE_DB_URL: url }).SUPABASE_DB_URL).toBe(url);
  });

  it.each(['mysql://user:pw@localhost/db', 'https://db.example.supabase.co', 'localhost:5432', 'postgres:/localhost/db'])(
    'rejects %s as SUPABASE_DB_URL',
    (url) => {
      // Act
      const error = configErrorOf(() => loadConfig('validate', ValidateConfigSchema, { ...validateEnv, SUPABASE_DB_URL: url }));
      // Assess
      expect(error.variables).toEqual(['SUPABASE_DB_URL']);
      expect(error.message).toMatch(/SUPABASE_DB_URL: must be a postgres:\/\/ URL/);
    },
  );

  it.each(['cn-hangzhou.aliyuncs.com', 'https://1.eventbridge.cn-hangzhou.aliyuncs.com', 'localhost:8080', 'http://127.0.0.1:9000/'])(
    'accepts the endpoint %s',
    (endpoint) => {
      expect(loadConfig('validate', ValidateConfigSchema, { ...validateEnv, EVENTBRIDGE_ENDPOINT: endpoint }).EVENTBRIDGE_ENDPOINT).toBe(endpoint);
    },
  );

  it.each(['https://host/path', 'host name', 'ftp://host'])('rejects %s as EVENTBRIDGE_ENDPOINT', (endpoint) => {
    // Act
    const error = configErrorOf(() => loadConfig('validate', ValidateConfigSchema, { ...validateEnv, EVENTBRIDGE_ENDPOINT: endpoint }));
    // Assess
    expect(error.variables).toEqual(['EVENTBRIDGE_ENDPOINT']);
    expect(error.message).toMatch(/EVENTBRIDGE_ENDPOINT: must be a host\[:port\]/);
  });

  it('rejects an unknown LOG_LEVEL', () => {
    // Act
    const error = configErrorOf(() => loadConfig('validate', ValidateConfigSchema, { ...validateEnv, LOG_LEVEL: 'verbose' }));
    // Assess
    expect(error.variables).toEqual(['LOG_LEVEL']);
    expect(error.message).toContain('LOG_LEVEL: must be debug, info, warn or error');
  });

  it('checks the vector bucket name of the worker', () => {
    // Act
    const error = configErrorOf(() => loadConfig('worker', WorkerConfigSchema, { ...fullEnv, VECTOR_BUCKET: 'Docs_Vectors' }));
    // Assess
    expect(error.variables).toEqual(['VECTOR_BUCKET']);
    expect(error.message).toContain('VECTOR_BUCKET: bucket name must be lower-case');
  });

  it('refuses a recall k above the topK limit, and an embed-query URL without its key', () => {
    // Act
    const recall = configErrorOf(() => loadConfig('worker', WorkerConfigSchema, { ...fullEnv, RECALL_K: '50' }));
    const embed = configErrorOf(() => loadConfig('worker', WorkerConfigSchema, { ...fullEnv, EMBED_QUERY_URL: 'https://example.supabase.co/functions/v1/embed-query' }));
    // Assess
    expect(recall.message).toContain("RECALL_K: must not exceed QUERY_TOPK_MAX (the account's OSS Vectors topK limit)");
    expect(embed.message).toContain('EMBED_QUERY_KEY: must be set (at least 16 characters) when EMBED_QUERY_URL is');
    expect(loadConfig('worker', WorkerConfigSchema, { ...fullEnv, RECALL_K: '50', QUERY_TOPK_MAX: '100' }).RECALL_K).toBe(50);
  });

  it('names a bad variable and a missing one together', () => {
    // Prepare
    const { WORKER_VERSION: _dropped, ...env } = dispatchEnv;
    // Act
    const error = configErrorOf(() => loadConfig('dispatch', DispatchConfigSchema, { ...env, RUN_COMMAND_TIMEOUT_SECONDS: '5' }));
    // Assess
    expect([...error.variables].sort()).toEqual(['RUN_COMMAND_TIMEOUT_SECONDS', 'WORKER_VERSION']);
    expect(error.message).toContain('RUN_COMMAND_TIMEOUT_SECONDS: must be at least 10');
  });

  it('ignores variables the schema does not know', () => {
    // Act
    const config = loadConfig('validate', ValidateConfigSchema, { ...validateEnv, PATH: '/usr/bin', HOME: '/root' });
    // Assess
    expect(config).not.toHaveProperty('PATH');
  });
});

describe('configGetter', () => {
  it('parses on first use and returns the same object afterwards', () => {
    // Prepare
    const getConfig = configGetter('chunk', ChunkConfigSchema);
    // Act
    const first = getConfig({ ...validateEnv, CHUNK_MAX_IDS: '100' });
    const second = getConfig({ ...validateEnv, CHUNK_MAX_IDS: '200' });
    // Assess
    expect(second).toBe(first);
    expect(second.CHUNK_MAX_IDS).toBe(100);
  });

  it('does not keep a failure, so a fixed environment loads next time', () => {
    // Prepare
    const getConfig = configGetter('validate', ValidateConfigSchema);
    // Act
    const error = configErrorOf(() => getConfig({}));
    const config = getConfig(validateEnv);
    // Assess
    expect(error.variables).toContain('SUPABASE_DB_URL');
    expect(config.EVENT_BUS_NAME).toBe('vector-sync');
  });

  it('keeps one cache per getter', () => {
    // Prepare
    const first = configGetter('chunk', ChunkConfigSchema);
    const second = configGetter('chunk', ChunkConfigSchema);
    // Act
    const a = first({ ...validateEnv, CHUNK_MAX_IDS: '100' });
    const b = second({ ...validateEnv, CHUNK_MAX_IDS: '200' });
    // Assess
    expect(a.CHUNK_MAX_IDS).toBe(100);
    expect(b.CHUNK_MAX_IDS).toBe(200);
  });
});
