import { readFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFunction, LocalFunctionSpecError } from '../../local/fc';
import type { LocalFunctionSpec, LocalInvokeResult } from '../../local/fc';
import { badEventCases } from '../helpers/badEvents';
import { fixture, loadEventFixtures } from '../helpers/fixtures';
import { buildProbe } from '../helpers/probe';

let codeDir = '';
const opened: LocalFunction[] = [];

function probe(spec: Partial<LocalFunctionSpec> = {}): LocalFunction {
  const fn = new LocalFunction({ name: 'probe', codeDir, timeout: 5, ...spec });
  opened.push(fn);
  return fn;
}

function json(result: LocalInvokeResult): any {
  return JSON.parse(result.body.toString('utf8'));
}

beforeAll(async () => {
  const built = await buildProbe();
  codeDir = dirname(built.outfile);
});

afterAll(() => {
  for (const fn of opened) fn.close();
});

describe('LocalFunction with the built probe handler', () => {
  const goodFixtures = Object.entries(loadEventFixtures()).filter(([name]) => name !== 'reconcile-timer.json');

  it.each(goodFixtures)('handles fixture %s and hands on its type and data', async (_name, event) => {
    // Prepare
    const fn = probe({ credentials: { accessKeyId: 'STS.local', accessKeySecret: 'local-secret', securityToken: 'tok' } });
    // Act
    const result = await fn.invoke(Buffer.from(JSON.stringify(event)));
    // Assess
    expect(result.ok).toBe(true);
    const body = json(result);
    expect(body).toMatchObject({ eventId: event.id, eventType: event.type, functionName: 'probe', hasCredentials: true });
    expect(body.event).toEqual(expect.objectContaining(Object.fromEntries(Object.entries(event.data as object).filter(([k]) => k !== 'exitCode'))));
  });

  it.each(badEventCases())('parks $name with a specific error', async ({ payload, code, message }) => {
    // Prepare
    const parkFile = join(mkdtempSync(join(tmpdir(), 'ovs-park-')), 'parked.jsonl');
    const fn = probe({ environment: { PROBE_PARK_FILE: parkFile } });
    // Act
    const result = await fn.invoke(payload);
    // Assess: the invocation succeeds (no EventBridge retry) and the reason names the problem
    expect(result.ok).toBe(true);
    const body = json(result);
    expect(body.status).toBe('parked');
    expect(body.code).toBe(code);
    expect(body.reason).toMatch(message);
    const parked = readFileSync(parkFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ functionName: 'probe', code, requestId: result.requestId });
  });

  it('keeps the instance alive after bad input', async () => {
    const fn = probe();
    await fn.invoke('not json');
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(result.ok).toBe(true);
    expect(json(result).runs).toBe(1);
  });

  it('reports a transient error as FC does, so EventBridge retries', async () => {
    const fn = probe({ environment: { PROBE_BEHAVIOUR: 'transient' } });
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errorHeader).toBe('UnhandledInvocationError');
    expect(result.error).toMatchObject({ errorType: 'TransientError', errorMessage: 'downstream is throttling' });
    expect(json(result).stackTrace[0]).toContain('TransientError');
  });

  it('parks a permanent domain error and succeeds', async () => {
    const fn = probe({ environment: { PROBE_BEHAVIOUR: 'permanent' } });
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(json(result)).toEqual({ status: 'parked', code: 'IndexUnknown', reason: 'index docs is not registered' });
  });

  it('lets a retry of a transiently failed event run again', async () => {
    const fn = probe({ maxInstances: 1, environment: { PROBE_BEHAVIOUR: 'transient' } });
    const first = await fn.invoke(fixture('chunk-ready.json'));
    const second = await fn.invoke(fixture('chunk-ready.json'));
    expect(first.ok).toBe(false);
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.errorMessage).toBe('downstream is throttling');
  });

  it('enforces the timeout and starts a fresh instance afterwards', async () => {
    const fn = probe({ timeout: 1, maxInstances: 1, environment: { PROBE_BEHAVIOUR: 'sleep', PROBE_SLEEP_MS: '5000' } });
    const started = Date.now();
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.errorMessage).toBe('Function timed out after 1 seconds');
  });

  it('reports a process that exits mid-request', async () => {
    const fn = probe({ environment: { PROBE_BEHAVIOUR: 'exit' } });
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.errorMessage).toMatch(/Process exited unexpectedly before completing request \(exit code 3\)/);
  });

  it('crashes an invocation on a drop fault, loses the answer, and serves the next call from a fresh instance', async () => {
    // Prepare: the handler answers at once; the fault kills the instance within 1 ms or as it answers
    const fn = probe({ maxInstances: 1 });
    fn.faults.add({ operation: 'Invoke', kind: 'drop', hangMs: 1, count: 1 });
    // Act
    const crashed = await fn.invoke(fixture('chunk-ready.json'));
    const next = await fn.invoke(fixture('chunk-ready.json'));
    // Assert
    expect(crashed.ok).toBe(false);
    if (!crashed.ok) expect(crashed.error.errorMessage).toMatch(/^Process exited unexpectedly before completing request \(signal SIGKILL\)$/u);
    expect(next.ok).toBe(true);
  });

  it('ends an invocation as timed out on a hang fault, whatever the handler answered, and refuses one on a status fault', async () => {
    // Prepare
    const fn = probe({ timeout: 30, maxInstances: 1 });
    fn.faults.add({ operation: 'Invoke', kind: 'hang', hangMs: 200, count: 1 });
    fn.faults.add({ operation: 'Invoke', kind: 'status', status: 429, code: 'ResourceThrottled', count: 1 });
    // Act
    const hung = await fn.invoke(fixture('chunk-ready.json'));
    const throttled = await fn.invoke(fixture('chunk-ready.json'));
    const next = await fn.invoke(fixture('chunk-ready.json'));
    // Assert
    expect(hung.ok).toBe(false);
    if (!hung.ok) expect(hung.error.errorMessage).toBe('Function timed out after 30 seconds');
    expect(throttled.ok).toBe(false);
    if (!throttled.ok) expect(throttled.error.errorMessage).toMatch(/429 ResourceThrottled/u);
    expect(next.ok).toBe(true);
  });

  it('reports a missing handler export as FC does', async () => {
    const fn = probe({ handler: 'index.nothing' });
    const result = await fn.invoke(fixture('chunk-ready.json'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.errorMessage).toBe("Handler 'nothing' missing on module 'index'");
  });

  it('writes JSON log lines with request id, function name and run id', async () => {
    const lines: string[] = [];
    const fn = new LocalFunction({ name: 'probe', codeDir }, (line) => lines.push(line));
    opened.push(fn);
    const event = fixture('run-completed.json');
    const result = await fn.invoke(event, { requestId: 'req-123' });
    const records = result.logs.map((line) => JSON.parse(line));
    const handled = records.find((r) => r.message === 'probe handled event');
    expect(handled).toMatchObject({ level: 'info', requestId: 'req-123', function: 'probe', runId: event.data.runId, eventId: event.id });
    expect(lines).toEqual(result.logs);
  });

  it('refuses a spec whose code folder does not exist', () => {
    expect(() => new LocalFunction({ name: 'x', codeDir: join(codeDir, 'missing') })).toThrow(LocalFunctionSpecError);
    expect(existsSync(join(codeDir, 'index.js'))).toBe(true);
  });
});
