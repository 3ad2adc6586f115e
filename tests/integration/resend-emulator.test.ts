import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Resend } from 'resend';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeyPermissions, startResend } from '../../local/resend';
import type { ResendEmulator, ResendEmulatorOptions } from '../../local/resend';

let emulator: ResendEmulator | undefined;

async function start(options: ResendEmulatorOptions = {}): Promise<ResendEmulator> {
  emulator = await startResend({ ratePerSecond: 0, ...options });
  return emulator;
}

function sdkFor(resend: ResendEmulator, key: string = resend.apiKey): Resend {
  return new Resend(key, { baseUrl: resend.baseUrl });
}

function message(n: number) {
  return { from: 'Reports <reports@example.com>', to: [`ops${n}@example.com`], subject: `Run ${n}`, html: `<p>run ${n}</p>`, text: `run ${n}` };
}

afterEach(async () => {
  await emulator?.close();
  if (emulator) await rm(emulator.outboxPath, { recursive: true, force: true });
  emulator = undefined;
});

describe('Resend emulator with the official SDK', () => {
  it('writes an accepted message to the outbox as <id>.html and <id>.json without the key', async () => {
    // Prepare
    const resend = await start();

    // Act
    const result = await sdkFor(resend).emails.send({ ...message(1), tags: [{ name: 'run_id', value: 'r-1' }] }, { idempotencyKey: 'run-1' });

    // Assess
    expect(result.error).toBeNull();
    const id = result.data?.id ?? '';
    expect((await stat(join(resend.outboxPath, `${id}.html`))).isFile()).toBe(true);
    const json = await readFile(join(resend.outboxPath, `${id}.json`), 'utf8');
    expect(json).not.toContain(resend.apiKey);
    const entry = await resend.outbox.read(id);
    expect(entry?.html).toBe('<p>run 1</p>');
    expect(entry?.email).toMatchObject({ id, from: 'Reports <reports@example.com>', to: ['ops1@example.com'], subject: 'Run 1', tags: [{ name: 'run_id', value: 'r-1' }] });
    expect(entry?.metadata).toMatchObject({ endpoint: '/emails', idempotency_key: 'run-1', api_key_permission: 'full_access' });
    expect(entry?.metadata.user_agent).toMatch(/^resend-node:/u);
  });

  it('accepts a batch of 100 and refuses 101 with validation_error', async () => {
    // Prepare
    const resend = await start();
    const sdk = sdkFor(resend);
    const hundred = Array.from({ length: 100 }, (_, n) => message(n));

    // Act
    const accepted = await sdk.batch.send(hundred);
    const refused = await sdk.batch.send([...hundred, message(100)]);

    // Assess
    expect(accepted.error).toBeNull();
    expect(accepted.data?.data).toHaveLength(100);
    expect(refused.data).toBeNull();
    expect(refused.error).toMatchObject({ name: 'validation_error', statusCode: 422 });
    const outbox = await resend.outbox.list();
    expect(outbox).toHaveLength(100);
    expect(outbox.map((entry) => entry.metadata.batch_index)).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });

  it('refuses a strict batch with one bad message and sends the good ones of a permissive batch', async () => {
    // Prepare
    const resend = await start();
    const sdk = sdkFor(resend);
    const emails = [message(0), { ...message(1), from: 'nobody' }, message(2)];

    // Act
    const strict = await sdk.batch.send(emails);
    const permissive = await sdk.batch.send(emails, { batchValidation: 'permissive' });

    // Assess
    expect(strict.error).toMatchObject({ name: 'invalid_from_address', statusCode: 422 });
    expect(permissive.data?.data).toHaveLength(2);
    expect(permissive.data?.errors).toEqual([{ index: 1, message: expect.stringContaining('from') }]);
    expect(await resend.outbox.list()).toHaveLength(2);
  });

  it('returns a sent message by id and not_found for an unknown id', async () => {
    // Prepare
    const resend = await start();
    const sdk = sdkFor(resend);
    const sent = await sdk.emails.send(message(7));

    // Act
    const got = await sdk.emails.get(sent.data?.id ?? '');
    const missing = await sdk.emails.get(randomUUID());

    // Assess
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({ object: 'email', id: sent.data?.id, to: ['ops7@example.com'], subject: 'Run 7', html: '<p>run 7</p>', text: 'run 7', last_event: 'delivered' });
    expect(missing.error).toMatchObject({ name: 'not_found', statusCode: 404 });
  });

  it('answers 401 missing_api_key without a key, 403 invalid_api_key for a wrong one, 401 restricted_api_key for a sending key', async () => {
    // Prepare
    const resend = await start({ apiKeys: [{ key: 're_full', permission: ApiKeyPermissions.fullAccess }, { key: 're_send', permission: ApiKeyPermissions.sendingAccess }] });

    // Act
    const missing = await sdkFor(resend).emails.send(message(1), { headers: { authorization: '' } });
    const wrong = await sdkFor(resend, 're_wrong').emails.send(message(1));
    const restricted = await sdkFor(resend, 're_send').emails.get(randomUUID());
    const sendingKeySends = await sdkFor(resend, 're_send').emails.send(message(2));

    // Assess
    expect(missing.error).toMatchObject({ name: 'missing_api_key', statusCode: 401 });
    expect(wrong.error).toMatchObject({ name: 'invalid_api_key', statusCode: 403 });
    expect(restricted.error).toMatchObject({ name: 'restricted_api_key', statusCode: 401 });
    expect(sendingKeySends.error).toBeNull();
    expect(await resend.outbox.list()).toHaveLength(1);
  });

  it('replays the same key and body, refuses the same key with another body, and checks key length', async () => {
    // Prepare
    const resend = await start();
    const sdk = sdkFor(resend);

    // Act
    const first = await sdk.emails.send(message(1), { idempotencyKey: 'report/run-1' });
    const replay = await sdk.emails.send({ subject: 'Run 1', text: 'run 1', html: '<p>run 1</p>', to: ['ops1@example.com'], from: 'Reports <reports@example.com>' }, { idempotencyKey: 'report/run-1' });
    const changed = await sdk.emails.send(message(2), { idempotencyKey: 'report/run-1' });
    const tooLong = await sdk.emails.send(message(3), { idempotencyKey: 'k'.repeat(257) });
    const otherEndpoint = await sdk.batch.send([message(1)], { idempotencyKey: 'report/run-1' });

    // Assess
    expect(replay.data?.id).toBe(first.data?.id);
    expect(changed.error).toMatchObject({ name: 'invalid_idempotent_request', statusCode: 409 });
    expect(tooLong.error).toMatchObject({ name: 'invalid_idempotency_key', statusCode: 400 });
    expect(otherEndpoint.error).toBeNull();
    expect(await resend.outbox.list()).toHaveLength(2);
  });

  it('sends the rate limit headers on every answer and 429 rate_limit_exceeded over the limit', async () => {
    // Prepare
    const resend = await start({ ratePerSecond: 2 });
    const sdk = sdkFor(resend);

    // Act
    const first = await sdk.emails.send(message(1));
    const second = await sdk.emails.send(message(2));
    const third = await sdk.emails.send(message(3));

    // Assess
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1', 'ratelimit-reset': '1' });
    expect(second.headers).toMatchObject({ 'ratelimit-remaining': '0' });
    expect(third.error).toMatchObject({ name: 'rate_limit_exceeded', statusCode: 429 });
    expect(third.headers).toMatchObject({ 'retry-after': '1', 'ratelimit-remaining': '0' });
    expect(await resend.outbox.list()).toHaveLength(2);
  });

  it('answers 405 method_not_allowed and 400 validation_error for a body that is not JSON', async () => {
    // Prepare
    const resend = await start();
    const headers = { authorization: `Bearer ${resend.apiKey}`, 'content-type': 'application/json' };

    // Act
    const put = await fetch(`${resend.baseUrl}/emails`, { method: 'PUT', headers, body: '{}' });
    const broken = await fetch(`${resend.baseUrl}/emails`, { method: 'POST', headers, body: '{"from":' });

    // Assess
    expect([put.status, await put.json()]).toEqual([405, expect.objectContaining({ name: 'method_not_allowed', statusCode: 405 })]);
    expect([broken.status, await broken.json()]).toEqual([400, expect.objectContaining({ name: 'validation_error', statusCode: 400 })]);
  });
});
