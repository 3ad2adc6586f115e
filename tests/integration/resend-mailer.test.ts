import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyPermissions, startResend } from '../../local/resend';
import type { ResendEmulator, ResendEmulatorOptions } from '../../local/resend';
import { TransientError } from '../../shared/errors';
import { Logger } from '../../shared/logging';
import {
  Mailer,
  ResendAuthError,
  ResendIdempotencyError,
  ResendRetriesExhaustedError,
  ResendValidationError,
} from '../../shared/clients/resend';
import type { MailMessage, MailerConfig } from '../../shared/clients/resend';

const SECRET = 're_secret_5f3a9c1e7b2d';
let emulator: ResendEmulator | undefined;

async function start(options: ResendEmulatorOptions = {}): Promise<ResendEmulator> {
  emulator = await startResend({ apiKeys: [{ key: SECRET, permission: ApiKeyPermissions.fullAccess }], ratePerSecond: 0, ...options });
  return emulator;
}

function mailerFor(resend: ResendEmulator, overrides: Partial<MailerConfig> = {}) {
  const lines: string[] = [];
  const logger = new Logger({ sink: (line) => lines.push(line) });
  const mailer = new Mailer({ apiKey: SECRET, baseUrl: resend.baseUrl, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 }, ...overrides }, { logger });
  const retries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.message === 'resend send retry');
  return { mailer, lines, retries };
}

const report: MailMessage = {
  from: 'Vector Sync <reports@example.com>',
  to: ['ops@example.com'],
  subject: 'Run r-1 completed',
  html: '<h1>Run r-1</h1>',
  text: 'Run r-1',
  tags: [{ name: 'run_id', value: 'r-1' }],
};

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

afterEach(async () => {
  await emulator?.close();
  if (emulator) await rm(emulator.outboxPath, { recursive: true, force: true });
  emulator = undefined;
});

describe('Mailer against the Resend emulator', () => {
  it('sends a message that lands in the outbox as HTML and JSON', async () => {
    // Prepare
    const resend = await start();
    const { mailer } = mailerFor(resend);

    // Act
    const sent = await mailer.send(report, { idempotencyKey: 'report/r-1' });

    // Assess
    const entry = await resend.outbox.read(sent.id);
    expect(entry?.html).toBe('<h1>Run r-1</h1>');
    expect(entry?.email).toMatchObject({ subject: 'Run r-1 completed', text: 'Run r-1', to: ['ops@example.com'], tags: [{ name: 'run_id', value: 'r-1' }] });
    expect(JSON.stringify(entry)).not.toContain(SECRET);
  });

  it('returns the first id for a replay and writes one message', async () => {
    // Prepare
    const resend = await start();
    const { mailer } = mailerFor(resend);

    // Act
    const first = await mailer.send(report, { idempotencyKey: 'report/r-1' });
    const again = await mailer.send(report, { idempotencyKey: 'report/r-1' });

    // Assess
    expect(again.id).toBe(first.id);
    expect(await resend.outbox.list()).toHaveLength(1);
  });

  it('fails with ResendIdempotencyError when a key is reused for another message', async () => {
    // Prepare
    const resend = await start();
    const { mailer } = mailerFor(resend);
    await mailer.send(report, { idempotencyKey: 'report/r-1' });

    // Act
    const error = await caught(mailer.send({ ...report, subject: 'Run r-2 completed' }, { idempotencyKey: 'report/r-1' }));

    // Assess
    expect(error).toBeInstanceOf(ResendIdempotencyError);
    expect(error).toMatchObject({ resendName: 'invalid_idempotent_request', status: 409, transient: false });
  });

  it.each([
    ['a missing from', 'missing_required_field', { from: '' }],
    ['a bad from', 'invalid_from_address', { from: 'reports at example.com' }],
    ['a missing to', 'missing_required_field', { to: [] }],
    ['a bad recipient', 'validation_error', { to: ['ops@example.com', 'ops@'] }],
    ['too many recipients', 'validation_error', { to: Array.from({ length: 51 }, (_, n) => `r${n}@example.com`) }],
    ['a missing subject', 'missing_required_field', { subject: undefined }],
    ['neither html nor text', 'missing_required_field', { html: undefined, text: undefined }],
    ['a tag with a space', 'validation_error', { tags: [{ name: 'run id', value: 'r-1' }] }],
  ])('refuses %s at once with ResendValidationError %s', async (_case, resendName, change) => {
    // Prepare
    const resend = await start();
    const { mailer, retries } = mailerFor(resend);

    // Act
    const error = await caught(mailer.send({ ...report, ...change } as any, { idempotencyKey: 'report/r-1' }));

    // Assess
    expect(error).toBeInstanceOf(ResendValidationError);
    expect(error).toMatchObject({ resendName, status: 422, transient: false });
    expect(retries()).toHaveLength(0);
    expect(await resend.outbox.list()).toHaveLength(0);
  });

  it('fails with ResendAuthError for a wrong key and never shows the key', async () => {
    // Prepare
    const resend = await start();
    const wrongKey = 're_wrong_0a1b2c3d4e5f';
    const { mailer, lines } = mailerFor(resend, { apiKey: wrongKey });

    // Act
    const error = await caught(mailer.send(report, { idempotencyKey: 'report/r-1' }));

    // Assess
    expect(error).toBeInstanceOf(ResendAuthError);
    expect(error).toMatchObject({ resendName: 'invalid_api_key', status: 403 });
    const shown = JSON.stringify({ error, message: (error as Error).message, details: (error as ResendAuthError).details, cause: (error as Error).cause, lines, mailer });
    expect(shown).not.toContain(wrongKey);
  });

  it('waits as retry-after asks after a 429 and then succeeds', async () => {
    // Prepare
    const resend = await start({ ratePerSecond: 1 });
    const { mailer, retries } = mailerFor(resend, { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
    await fetch(`${resend.baseUrl}/emails/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${SECRET}` } });
    const started = Date.now();

    // Act
    const sent = await mailer.send(report, { idempotencyKey: 'report/r-1' });

    // Assess
    expect(retries()).toEqual([expect.objectContaining({ attempt: 1, delayMs: 1000, resendName: 'rate_limit_exceeded', status: 429 })]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect((await resend.outbox.read(sent.id))?.email.subject).toBe('Run r-1 completed');
  });

  it('pauses until the window resets when ratelimit-remaining reaches 0, so no 429 is provoked', async () => {
    // Prepare
    const resend = await start({ ratePerSecond: 2 });
    const { mailer, retries } = mailerFor(resend);
    const started = Date.now();

    // Act
    for (const n of [1, 2, 3]) await mailer.send({ ...report, subject: `Run ${n}` }, { idempotencyKey: `report/${n}` });

    // Assess
    expect(retries()).toHaveLength(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await resend.outbox.list()).toHaveLength(3);
  });

  it.each([
    ['a 500', { kind: 'status', status: 500 }, 'application_error', 500],
    ['a dropped connection', { kind: 'drop' }, 'application_error', null],
  ] as const)('recovers from %s with the same idempotency key', async (_case, fault, resendName, status) => {
    // Prepare
    const resend = await start();
    const { mailer, retries } = mailerFor(resend);
    resend.faults.add({ operation: 'SendEmail', count: 2, ...fault });

    // Act
    const sent = await mailer.send(report, { idempotencyKey: 'report/r-1' });

    // Assess
    expect(retries()).toEqual([expect.objectContaining({ attempt: 1, resendName, status }), expect.objectContaining({ attempt: 2, resendName, status })]);
    expect((await resend.outbox.list()).map((entry) => entry.email.id)).toEqual([sent.id]);
  });

  it.each([
    ['500s', { kind: 'status', status: 503 }, 503],
    ['drops', { kind: 'drop' }, null],
  ] as const)('gives up with a transient ResendRetriesExhaustedError when %s outlast the retry budget', async (_case, fault, status) => {
    // Prepare
    const resend = await start();
    const { mailer, lines } = mailerFor(resend, { retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
    resend.faults.add({ operation: 'SendEmail', count: 5, ...fault });

    // Act
    const error = await caught(mailer.send(report, { idempotencyKey: 'report/r-1' }));

    // Assess
    expect(error).toBeInstanceOf(ResendRetriesExhaustedError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ attempts: 3, status, resendName: 'application_error' });
    expect(resend.faults.list()[0]?.fired).toBe(3);
    expect(JSON.stringify({ error, lines, cause: (error as Error).cause })).not.toContain(SECRET);
  });
});
