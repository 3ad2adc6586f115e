// The OSS Vectors client keeps each index's write quota: PutVectors and DeleteVectors of one index
// share one bucket (deleted keys count as vectors), indexes do not share, a 429 holds the index off
// for its Retry-After, and the client counts write calls and 429s. The server is a function and
// time is virtual, so nothing here waits for real.
import { describe, expect, it } from 'vitest';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { HttpAnswer, HttpCall } from '../../shared/clients/oss-vectors';
import { VirtualClock } from '../helpers/virtualClock';

const SHAPE = { dimension: 2, distanceMetric: 'cosine' } as const;

/** A server that records when each call arrived and answers with `answer` (200 by default). */
function recordingServer(clock: VirtualClock, answer: (call: HttpCall, n: number) => HttpAnswer | undefined = () => undefined) {
  const calls: { at: number; operation: string; index: string; count: number; status: number }[] = [];
  const send = async (call: HttpCall): Promise<HttpAnswer> => {
    const body = JSON.parse(call.body?.toString('utf8') ?? '{}') as { indexName?: string; vectors?: unknown[]; keys?: unknown[] };
    const given = answer(call, calls.length) ?? { status: 200, headers: {}, body: Buffer.from('{}') };
    calls.push({ at: clock.now(), operation: call.path.slice(2), index: body.indexName ?? '', count: (body.vectors ?? body.keys ?? []).length, status: given.status });
    return given;
  };
  return { calls, send };
}

function clientWith(clock: VirtualClock, send: (call: HttpCall) => Promise<HttpAnswer>, rates: { indexWriteQps: number; indexWriteVectorsPerSecond: number }): OssVectorsClient {
  return new OssVectorsClient(
    // No pacing headroom, so that the figures below are the quota's own.
    { region: 'cn-hangzhou', accountId: '1', credentials: { accessKeyId: 'test-key', accessKeySecret: 'test-secret' }, endpoint: 'http://127.0.0.1:9', writePaceMarginMs: 0, ...rates },
    { now: clock.date, sleep: clock.sleep, send, random: () => 0 },
  );
}

const vectors = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ key: `${tag}-${i}`, data: [1, i] }));
const keys = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe('OssVectorsClient write quota', () => {
  it('paces PutVectors and DeleteVectors of one index together, and each index on its own', async () => {
    // Prepare: the cloud's quota, 5 calls and 2,500 vectors a second per index
    const clock = new VirtualClock();
    const server = recordingServer(clock);
    const client = clientWith(clock, server.send, { indexWriteQps: 5, indexWriteVectorsPerSecond: 2500 });
    // Act: three puts and two deletes of 500 on docs, one put on other, all at once
    await clock.drive(
      Promise.all([
        client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(500, 'a') }),
        client.deleteVectors({ bucket: 'b', indexName: 'docs', keys: keys(500, 'x') }),
        client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(500, 'b') }),
        client.deleteVectors({ bucket: 'b', indexName: 'docs', keys: keys(500, 'y') }),
        client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(500, 'c') }),
        client.putVectors({ bucket: 'b', indexName: 'other', index: SHAPE, vectors: vectors(500, 'd') }),
      ]),
    );
    // Assess
    expect(server.calls.filter((c) => c.index === 'docs').map((c) => [c.at, c.operation])).toEqual([
      [0, 'putVectors'],
      [200, 'deleteVectors'],
      [400, 'putVectors'],
      [600, 'deleteVectors'],
      [800, 'putVectors'],
    ]);
    expect(server.calls.filter((c) => c.index === 'other').map((c) => c.at)).toEqual([0]);
  });

  it('counts deleted keys as vectors', async () => {
    // Prepare: plenty of calls, 1,000 vectors a second
    const clock = new VirtualClock();
    const server = recordingServer(clock);
    const client = clientWith(clock, server.send, { indexWriteQps: 100, indexWriteVectorsPerSecond: 1000 });
    // Act
    await clock.drive(client.deleteVectors({ bucket: 'b', indexName: 'docs', keys: keys(500, 'x') }));
    await clock.drive(client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(10, 'a') }));
    // Assess: the put waited for the 500 deleted keys' half second
    expect(server.calls.map((c) => c.at)).toEqual([0, 500]);
  });

  it('holds the index off for a 429 Retry-After: its retry and the calls behind it wait, and the 429 is counted', async () => {
    // Prepare: the quota is not the limit here (1,000 calls a second); the first call is answered 429, retry after 2 s
    const clock = new VirtualClock();
    const server = recordingServer(clock, (_call, n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' }, body: Buffer.from('{"Error":{"Code":"Throttling"}}') } : undefined));
    const client = clientWith(clock, server.send, { indexWriteQps: 1000, indexWriteVectorsPerSecond: 1_000_000 });
    // Act: a put and, queued right behind it, a delete
    await clock.drive(
      Promise.all([
        client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(3, 'a') }),
        client.deleteVectors({ bucket: 'b', indexName: 'docs', keys: keys(3, 'x') }),
      ]),
    );
    // Assess: nothing reached the index within the 2 s it asked for
    expect(server.calls.map((c) => [c.at, c.operation, c.status])).toEqual([
      [0, 'putVectors', 429],
      [2000, 'deleteVectors', 200],
      [2001, 'putVectors', 200],
    ]);
    expect(client.writeStats).toEqual({ calls: 3, throttled: 1 });
  });

  it('counts only writes in its write stats', async () => {
    // Prepare
    const clock = new VirtualClock();
    const server = recordingServer(clock, () => ({ status: 200, headers: {}, body: Buffer.from('{"vectors":[]}') }));
    const client = clientWith(clock, server.send, { indexWriteQps: 5, indexWriteVectorsPerSecond: 2500 });
    // Act
    await clock.drive(client.getVectors({ bucket: 'b', indexName: 'docs', keys: ['a'] }));
    await clock.drive(client.putVectors({ bucket: 'b', indexName: 'docs', index: SHAPE, vectors: vectors(1, 'a') }));
    // Assess
    expect(client.writeStats).toEqual({ calls: 1, throttled: 0 });
  });
});
