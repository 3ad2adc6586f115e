import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatorServer } from '../../local/http';
import type { EmulatorRequest, EmulatorService } from '../../local/http';
import { FaultInjector, FaultSpecError } from '../../local/faults';

const echoService: EmulatorService = {
  name: 'echo',
  route(req: EmulatorRequest) {
    if (req.url.pathname === '/echo') return { operation: 'Echo', handle: (r) => ({ status: 200, body: { got: r.body.toString() } }) };
    if (req.url.pathname === '/boom') return { operation: 'Boom', handle: () => { throw new Error('kaboom'); } };
    return undefined;
  },
  errorResponse: (status, code, message) => ({ status, body: { Code: code, Message: message } }),
};

let server: EmulatorServer | undefined;

async function started(faults?: FaultInjector): Promise<EmulatorServer> {
  server = new EmulatorServer(echoService, faults);
  await server.start();
  return server;
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('EmulatorServer', () => {
  it('routes a request and answers JSON', async () => {
    const s = await started();
    const res = await fetch(`${s.url}/echo`, { method: 'POST', body: 'hi' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: 'hi' });
  });

  it('answers an unknown path and a crashing route in the service error format', async () => {
    const s = await started();
    expect(await (await fetch(`${s.url}/nope`)).json()).toMatchObject({ Code: 'NotFound' });
    const boom = await fetch(`${s.url}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ Code: 'InternalError', Message: 'kaboom' });
  });

  it('fails the next N calls of an operation with the given status and headers, then recovers', async () => {
    const s = await started();
    s.faults.add({ operation: 'Echo', kind: 'status', status: 429, count: 2, headers: { 'retry-after': '1' } });
    const first = await fetch(`${s.url}/echo`, { method: 'POST' });
    const second = await fetch(`${s.url}/echo`, { method: 'POST' });
    const third = await fetch(`${s.url}/echo`, { method: 'POST' });
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toMatchObject({ Code: 'Throttling' });
    expect(s.faults.list()).toHaveLength(0);
  });

  it('fails a share of calls with a rate', async () => {
    let n = 0;
    const s = await started(new FaultInjector(() => (n++ % 2 === 0 ? 0.1 : 0.9)));
    s.faults.add({ operation: '*', kind: 'status', status: 503, rate: 0.5 });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${s.url}/echo`, { method: 'POST' })).status);
    expect(statuses).toEqual([503, 200, 503, 200]);
  });

  it('drops the connection', async () => {
    const s = await started();
    s.faults.add({ operation: 'Echo', kind: 'drop', count: 1 });
    await expect(fetch(`${s.url}/echo`, { method: 'POST' })).rejects.toThrow();
    expect((await fetch(`${s.url}/echo`, { method: 'POST' })).status).toBe(200);
  });

  it('hangs until the client gives up', async () => {
    const s = await started();
    s.faults.add({ operation: 'Echo', kind: 'hang', count: 1, hangMs: 60_000 });
    const outcome = await new Promise<string>((resolve) => {
      const req = request(`${s.url}/echo`, { method: 'POST', timeout: 200 }, () => resolve('answered'));
      req.on('timeout', () => {
        req.destroy();
        resolve('timed out');
      });
      req.on('error', () => resolve('timed out'));
      req.end();
    });
    expect(outcome).toBe('timed out');
  });

  it('manages faults over the admin path', async () => {
    const s = await started();
    const created = await fetch(`${s.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ operation: 'Echo', kind: 'status', status: 500, count: 1 }) });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${s.url}/__admin/faults`)).json()) as { faults: unknown[] };
    expect(listed.faults).toHaveLength(1);
    expect((await fetch(`${s.url}/echo`, { method: 'POST' })).status).toBe(500);
    const bad = await fetch(`${s.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ operation: 'Echo', kind: 'melt', count: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/fault kind "melt"/);
    await fetch(`${s.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ operation: 'Echo', kind: 'drop', rate: 1 }) });
    expect((await fetch(`${s.url}/__admin/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${s.url}/echo`, { method: 'POST' })).status).toBe(200);
  });
});

describe('FaultInjector', () => {
  it.each([
    [{ operation: 'X', kind: 'status', status: 200, count: 1 }, /not an HTTP error status/],
    [{ operation: 'X', kind: 'status', rate: 2 }, /rate 2 is not in/],
    [{ operation: 'X', kind: 'drop', count: 0 }, /count 0 is not a positive/],
    [{ operation: 'X', kind: 'drop' }, /needs count .* or rate/],
    [{ operation: '', kind: 'drop', count: 1 }, /operation is missing/],
  ])('refuses %j', (spec, message) => {
    expect(() => new FaultInjector().add(spec as never)).toThrow(FaultSpecError);
    expect(() => new FaultInjector().add(spec as never)).toThrow(message);
  });
});
