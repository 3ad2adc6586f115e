import { describe, expect, it } from 'vitest';
import { EventTooLargeError, packBatches, prepareEvent, resolveEndpoint } from '../../shared/clients/eventbridge';

describe('packBatches', () => {
  it('splits at 16 events', () => {
    const batches = packBatches(Array.from({ length: 40 }, () => ({ bytes: 100 })));
    expect(batches.map((batch) => batch.length)).toEqual([16, 16, 8]);
  });

  it('splits before a request would pass 256 KB', () => {
    const batches = packBatches(Array.from({ length: 10 }, () => ({ bytes: 60 * 1024 })));
    expect(batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    for (const batch of batches) expect(2 + batch.reduce((sum, item) => sum + item.bytes + 1, -1)).toBeLessThanOrEqual(256 * 1024);
  });
});

describe('prepareEvent', () => {
  it('builds the CloudEvent with the bus as an extension and JSON data', () => {
    const prepared = prepareEvent({ id: 'ev-1', type: 't', source: 's', subject: 'runs/1', data: { a: 1 } }, 'vector-sync', () => new Date('2026-01-01T00:00:00Z'));
    expect(prepared.model).toMatchObject({ id: 'ev-1', specversion: '1.0', time: '2026-01-01T00:00:00.000Z', extensions: { aliyuneventbusname: 'vector-sync' } });
    expect(JSON.parse(prepared.model.data?.toString() ?? '')).toEqual({ a: 1 });
  });

  it('refuses an event over 64 KB with a permanent error', () => {
    const act = () => prepareEvent({ id: 'big', type: 't', source: 's', data: { blob: 'x'.repeat(65 * 1024) } }, 'vector-sync');
    expect(act).toThrow(EventTooLargeError);
    try {
      act();
    } catch (error) {
      expect((error as EventTooLargeError).kind).toBe('permanent');
    }
  });
});

describe('resolveEndpoint', () => {
  it.each([
    ['123.eventbridge.cn-hangzhou.aliyuncs.com', { host: '123.eventbridge.cn-hangzhou.aliyuncs.com', protocol: 'https' }],
    ['127.0.0.1:4000', { host: '127.0.0.1:4000', protocol: 'http' }],
    ['http://127.0.0.1:4000', { host: '127.0.0.1:4000', protocol: 'http' }],
    ['https://x.example.com/', { host: 'x.example.com', protocol: 'https' }],
  ])('reads %s', (endpoint, expected) => {
    expect(resolveEndpoint(endpoint)).toEqual(expected);
  });
});
