import { describe, expect, it } from 'vitest';
import { Logger, redact } from '../../shared/logging';
import type { LogLevel } from '../../shared/logging';

const NOW = new Date('2026-11-22T10:15:30.118Z');

/** A logger writing to an array, with a fixed clock. */
function capturedLogger(options: { level?: LogLevel; fields?: Record<string, unknown> } = {}) {
  const lines: string[] = [];
  const logger = new Logger({ ...options, sink: (line) => lines.push(line), now: () => NOW });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('Logger', () => {
  it('writes one JSON object per line with time, level, message, bound fields and extra fields', () => {
    // Prepare
    const { logger, lines, records } = capturedLogger({ fields: { requestId: 'req-1', function: 'chunk' } });
    // Act
    logger.info('chunk planned', { chunks: 3 });
    logger.warn('slow query', { durationMs: 1200 });
    // Assess
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(records()).toEqual([
      { time: '2026-11-22T10:15:30.118Z', level: 'info', message: 'chunk planned', requestId: 'req-1', function: 'chunk', chunks: 3 },
      { time: '2026-11-22T10:15:30.118Z', level: 'warn', message: 'slow query', requestId: 'req-1', function: 'chunk', durationMs: 1200 },
    ]);
  });

  it('puts time, level and message first', () => {
    // Prepare
    const { logger, lines } = capturedLogger({ fields: { requestId: 'req-1' } });
    // Act
    logger.error('boom');
    // Assess
    expect(lines[0]).toBe('{"time":"2026-11-22T10:15:30.118Z","level":"error","message":"boom","requestId":"req-1"}');
  });

  it('logs at info and above by default', () => {
    // Prepare
    const { logger, records } = capturedLogger();
    // Act
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    // Assess
    expect(logger.level).toBe('info');
    expect(records().map((r) => r.message)).toEqual(['i', 'w', 'e']);
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('at level %s writes only %j', (level, expected) => {
    // Prepare
    const { logger, records } = capturedLogger({ level });
    // Act
    logger.debug('debug');
    logger.info('info');
    logger.warn('warn');
    logger.error('error');
    // Assess
    expect(records().map((r) => r.level)).toEqual(expected);
  });

  it('binds more fields in a child and leaves the parent alone', () => {
    // Prepare
    const { logger: parent, records } = capturedLogger({ fields: { requestId: 'req-1' } });
    // Act
    const child = parent.child({ runId: 'run-7' });
    child.info('from child');
    parent.info('from parent');
    // Assess
    expect(records()).toEqual([
      expect.objectContaining({ message: 'from child', requestId: 'req-1', runId: 'run-7' }),
      expect.not.objectContaining({ runId: 'run-7' }),
    ]);
    expect(child.bindings).toEqual({ requestId: 'req-1', runId: 'run-7' });
    expect(parent.bindings).toEqual({ requestId: 'req-1' });
  });

  it('keeps the level and sink in a child', () => {
    // Prepare
    const { logger, records } = capturedLogger({ level: 'warn' });
    // Act
    const child = logger.child({ chunkNo: 2 });
    child.info('dropped');
    child.warn('kept');
    // Assess
    expect(child.level).toBe('warn');
    expect(records()).toEqual([expect.objectContaining({ message: 'kept', chunkNo: 2 })]);
  });

  it('lets a child field replace a bound one of the same name', () => {
    // Prepare
    const { logger, records } = capturedLogger({ fields: { stage: 'decode' } });
    // Act
    logger.child({ stage: 'run' }).info('x');
    // Assess
    expect(records()[0]?.stage).toBe('run');
  });

  it('redacts secrets in bound and extra fields', () => {
    // Prepare
    const { logger, lines } = capturedLogger({ fields: { credentials: { accessKeySecret: 'sk-bound' } } });
    // Act
    logger.info('connecting', { url: 'postgres://postgres:hunter2@db.example.com:5432/postgres', apiKey: 're_live_123' });
    // Assess
    expect(lines[0]).not.toMatch(/sk-bound|hunter2|re_live_123/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      credentials: '***',
      url: 'postgres://postgres:***@db.example.com:5432/postgres',
      apiKey: '***',
    });
  });

  it('redacts a password inside the message', () => {
    // Prepare
    const { logger, records } = capturedLogger();
    // Act
    logger.error('cannot reach postgres://app:hunter2@db/postgres');
    // Assess
    expect(records()[0]?.message).toBe('cannot reach postgres://app:***@db/postgres');
  });

  it('writes an Error as its name and message', () => {
    // Prepare
    const { logger, records } = capturedLogger();
    // Act
    logger.error('failed', { error: new RangeError('chunk number out of range') });
    // Assess
    expect(records()[0]?.error).toEqual({ name: 'RangeError', message: 'chunk number out of range' });
  });

  it('writes a Date field as its ISO text', () => {
    // Prepare
    const { logger, records } = capturedLogger();
    // Act
    logger.info('run opened', { openedAt: new Date('2026-11-22T09:00:00.000Z') });
    // Assess
    expect(records()[0]?.openedAt).toBe('2026-11-22T09:00:00.000Z');
  });

  it('does not throw on a cyclic field', () => {
    // Prepare
    const { logger, records } = capturedLogger();
    const cyclic: Record<string, unknown> = { id: 'x' };
    cyclic.self = cyclic;
    // Act
    logger.info('cyclic', { cyclic });
    // Assess
    expect(records()[0]).toMatchObject({ message: 'cyclic', cyclic: { id: 'x', self: { id: 'x' } } });
  });

  it('writes to stdout by default', () => {
    // Prepare
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk)) as any;
    // Act
    try {
      new Logger({ now: () => NOW }).info('to stdout');
    } finally {
      process.stdout.write = original;
    }
    // Assess
    expect(written).toEqual(['{"time":"2026-11-22T10:15:30.118Z","level":"info","message":"to stdout"}\n']);
  });
});

describe('redact', () => {
  it.each([
    'accessKeySecret',
    'securityToken',
    'password',
    'PASSWORD',
    'passwd',
    'apiKey',
    'api_key',
    'api-key',
    'authorization',
    'Authorization',
    'RESEND_API_KEY',
    'clientSecret',
    'refresh_token',
    'credentials',
    'signature',
  ])('hides the value under %s', (key) => {
    // Act
    const out = redact({ [key]: 'the-secret-value', keep: 'visible' });
    // Assess
    expect(out).toEqual({ [key]: '***', keep: 'visible' });
  });

  it('hides a whole object under a secret key', () => {
    expect(redact({ credentials: { accessKeyId: 'LTAI', accessKeySecret: 'sk' } })).toEqual({ credentials: '***' });
  });

  it('hides secrets at any depth, in objects and arrays', () => {
    // Prepare
    const input = { request: { headers: { Authorization: 'Bearer abc' } }, targets: [{ name: 'fc', auth: { password: 'pw' } }] };
    // Act
    const out = redact(input);
    // Assess
    expect(out).toEqual({ request: { headers: { Authorization: '***' } }, targets: [{ name: 'fc', auth: { password: '***' } }] });
  });

  it('does not show a secret nested deeper than it inspects', () => {
    // Prepare
    let input: Record<string, unknown> = { password: 'deep-secret' };
    for (let i = 0; i < 12; i += 1) input = { nested: input };
    // Act
    const text = JSON.stringify(redact(input));
    // Assess
    expect(text).not.toContain('deep-secret');
    expect(text).toContain('[Truncated]');
  });

  it('turns a cyclic object into something JSON.stringify accepts', () => {
    // Prepare
    const cyclic: Record<string, unknown> = { id: 'x' };
    cyclic.self = cyclic;
    // Act
    const act = () => JSON.stringify(redact(cyclic));
    // Assess
    expect(act).not.toThrow();
  });

  it.each([
    ['a postgres URL', 'postgres://user:pw@host/db', 'postgres://user:***@host/db'],
    [
      'a Supabase pooler URL',
      'postgresql://postgres.abcdefghijkl:S3cr3t!x@aws-0-ap-southeast-1.pooler.supabase.com:6543/postgres',
      'postgresql://postgres.abcdefghijkl:***@aws-0-ap-southeast-1.pooler.supabase.com:6543/postgres',
    ],
    ['a URL inside a sentence', 'connect to postgres://app:pw@db:5432/x failed', 'connect to postgres://app:***@db:5432/x failed'],
    ['two URLs', 'a=https://u:p1@h1/ b=https://v:p2@h2/', 'a=https://u:***@h1/ b=https://v:***@h2/'],
    ['a URL without a password', 'postgres://user@host/db', 'postgres://user@host/db'],
    ['a URL without credentials', 'https://oss-cn-hangzhou.aliyuncs.com/bucket/key', 'https://oss-cn-hangzhou.aliyuncs.com/bucket/key'],
    ['an e-mail address', 'ops@example.com', 'ops@example.com'],
    ['a time', '10:15:30', '10:15:30'],
  ])('handles the password in %s', (_label, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('hides a URL password under an ordinary key', () => {
    expect(redact({ dbUrl: 'postgres://user:pw@host/db' })).toEqual({ dbUrl: 'postgres://user:***@host/db' });
  });

  it('leaves ordinary fields alone', () => {
    // Prepare
    const input = {
      runId: '2d7c9e4a-6b1f-4c3d-9a8e-0f1b2c3d4e5f',
      accessKeyId: 'test-key-id-not-real',
      count: 3,
      ok: true,
      missing: null,
      ids: ['a', 'b'],
      nested: { index: 'docs', chunkNo: 0 },
    };
    // Act
    const out = redact(input);
    // Assess
    expect(out).toEqual(input);
  });

  it.each([
    ['an empty string', ''],
    ['null', null],
  ])('shows a secret key holding %s as it is, so an unset secret is visible', (_label, value) => {
    expect(redact({ password: value })).toEqual({ password: value });
  });

  it('reduces an Error to its name and redacted message', () => {
    // Prepare
    const error = Object.assign(new TypeError('cannot reach postgres://u:pw@h/db'), { password: 'pw', stackish: 'x' });
    // Act
    const out = redact(error);
    // Assess
    expect(out).toEqual({ name: 'TypeError', message: 'cannot reach postgres://u:***@h/db' });
  });

  it('writes a URL object as its href, redacted', () => {
    expect(redact({ endpoint: new URL('https://user:pw@example.com/path') })).toEqual({ endpoint: 'https://user:***@example.com/path' });
  });

  it.each([
    ['a number', 42],
    ['a boolean', false],
    ['undefined', undefined],
    ['null', null],
  ])('passes %s through', (_label, value) => {
    expect(redact(value)).toBe(value);
  });

  it('does not change its input', () => {
    // Prepare
    const input = { password: 'pw', nested: { url: 'postgres://u:pw@h/db' } };
    // Act
    redact(input);
    // Assess
    expect(input).toEqual({ password: 'pw', nested: { url: 'postgres://u:pw@h/db' } });
  });
});
