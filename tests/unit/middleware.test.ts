import middy from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { EventDecodeError, EventShapeError, EventValidationError, VectorSyncEventSchema } from '../../shared/contracts';
import { PermanentError, TransientError } from '../../shared/errors';
import { InMemoryIdempotencyStore } from '../../shared/idempotency';
import {
  IdempotencyInProgressError,
  classifyErrors,
  decodeEvent,
  fcPipeline,
  idempotency,
  jsonLogger,
  levelFromEnvironment,
  parseEvent,
} from '../../shared/middleware';
import type { ParkFn, ParkedFailure, PipelineContext } from '../../shared/middleware';
import { badEventCases } from '../helpers/badEvents';
import { fixture } from '../helpers/fixtures';

/** The context FC 3.0 hands a nodejs20 handler, as far as the pipeline reads it. */
function fcContext(requestId = 'req-1', functionName = 't'): any {
  return {
    requestId,
    credentials: { accessKeyId: '', accessKeySecret: '', securityToken: '' },
    function: { name: functionName, handler: 'index.handler', memory: 128, timeout: 3 },
    region: 'cn-hangzhou',
    accountId: '1',
    logger: console,
  };
}

/** An event as FC delivers it: the JSON bytes in a Buffer. */
function bufferOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** A log sink that keeps the lines. */
function captureLog() {
  const lines: string[] = [];
  return {
    lines,
    sink: (line: string) => {
      lines.push(line);
    },
    records: () => lines.map((line) => JSON.parse(line) as Record<string, any>),
  };
}

/** A park callback that records what it was given. */
function recordingPark() {
  const parked: ParkedFailure[] = [];
  const park = vi.fn<ParkFn>(async (failure) => {
    parked.push(failure);
  });
  return { park, parked };
}

/** A promise with its resolve handle, to hold a handler in flight. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A handler on the full pipeline whose body is `run`. */
function pipelineHandler(
  run: (event: any, context: PipelineContext) => Promise<unknown>,
  options: { store?: InMemoryIdempotencyStore; park?: ParkFn; mode?: 'single' | 'batch'; sink?: (line: string) => void } = {},
) {
  return middy(run).use(
    fcPipeline({
      schema: VectorSyncEventSchema,
      park: options.park ?? recordingPark().park,
      sink: options.sink ?? (() => undefined),
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.store ? { idempotencyStore: options.store } : {}),
    }),
  );
}

describe('decodeEvent', () => {
  const event = fixture('chunk-ready.json');

  it.each([
    ['a Buffer', bufferOf(event)],
    ['a Uint8Array', new Uint8Array(bufferOf(event))],
    ['a JSON string', JSON.stringify(event)],
    ['an already parsed object', event],
  ])('hands the handler the parsed event when given %s', async (_label, input) => {
    // Prepare
    const run = vi.fn(async (received: unknown) => received);
    const handler = middy(run).use(decodeEvent());
    // Act
    const result = await handler(input, fcContext());
    // Assess
    expect(result).toEqual(event);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('reads a Buffer as UTF-8', async () => {
    // Prepare
    const handler = middy(async (received: any) => received.text).use(decodeEvent());
    // Act
    const result = await handler(Buffer.from(JSON.stringify({ text: 'größe 文档' }), 'utf8'), fcContext());
    // Assess
    expect(result).toBe('größe 文档');
  });

  it.each([
    ['bytes that are not JSON', Buffer.from('{"id": "x", oops'), /^event is not valid JSON: /],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b]), /^event is not valid UTF-8 text$/],
    ['an empty Buffer', Buffer.alloc(0), /^event is empty/],
    ['a blank string', '  \n', /^event is empty/],
  ])('rejects %s with a permanent EventDecodeError', async (_label, input, message) => {
    // Prepare
    const run = vi.fn(async () => 'ran');
    const handler = middy(run).use(decodeEvent());
    // Act
    const error = await handler(input, fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EventDecodeError);
    expect(error).toMatchObject({ code: 'EventNotJson', kind: 'permanent' });
    expect((error as Error).message).toMatch(message);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('parseEvent', () => {
  it('hands on only data and puts the envelope attributes on context.cloudEvent', async () => {
    // Prepare
    const event = fixture('changes-published.json');
    const seen: { event?: unknown; cloudEvent?: unknown } = {};
    const handler = middy(async (data: unknown, context: PipelineContext) => {
      seen.event = data;
      seen.cloudEvent = context.cloudEvent;
    }).use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema })]);
    // Act
    await handler(bufferOf(event), fcContext());
    // Assess
    const { data, ...meta } = event;
    expect(seen.event).toEqual(data);
    expect(seen.cloudEvent).toEqual(meta);
  });

  it('rejects an invalid event with an EventValidationError naming the field', async () => {
    // Prepare
    const event = fixture('chunk-ready.json');
    event.data.chunkNo = 'zero';
    const handler = middy(async () => 'ran').use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema })]);
    // Act
    const error = await handler(bufferOf(event), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).problems).toEqual(['data.chunkNo: chunk number must be a number']);
  });

  it('rejects an array in single mode with an EventShapeError', async () => {
    // Prepare
    const handler = middy(async () => 'ran').use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema })]);
    // Act
    const error = await handler(bufferOf([fixture('chunk-ready.json')]), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EventShapeError);
    expect((error as Error).message).toMatch(/got a JSON array of 1 event\(s\)/);
  });

  it('splits a batch into good records and rejected ones', async () => {
    // Prepare
    const good = fixture('chunk-ready.json');
    const bad = fixture('run-accepted.json');
    bad.data.runId = 'run-1';
    const anonymous = { type: 'vectorsync.chunk.ready' };
    const alsoGood = fixture('run-completed.json');
    const run = vi.fn(async (batch: any) => batch);
    const handler = middy(run).use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema, mode: 'batch' })]);
    // Act
    const batch: any = await handler(bufferOf([good, bad, anonymous, alsoGood]), fcContext());
    // Assess
    const { data: goodData, ...goodMeta } = good;
    expect(batch.records).toHaveLength(2);
    expect(batch.records[0]).toEqual({ meta: goodMeta, data: goodData });
    expect(batch.records[1].meta.id).toBe(alsoGood.id);
    expect(batch.rejected.map((r: any) => ({ index: r.index, eventId: r.eventId }))).toEqual([
      { index: 1, eventId: bad.id },
      { index: 2, eventId: undefined },
    ]);
    expect(batch.rejected[1]).not.toHaveProperty('eventId');
    expect(batch.rejected[0].error).toBeInstanceOf(EventValidationError);
    expect(batch.rejected[0].error.problems).toEqual(['[1].data.runId: run id must be a UUID']);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs the handler when every record of a batch is rejected', async () => {
    // Prepare
    const bad = fixture('chunk-ready.json');
    bad.data.chunkNo = -1;
    const handler = middy(async (batch: any) => batch).use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema, mode: 'batch' })]);
    // Act
    const batch: any = await handler(bufferOf([bad]), fcContext());
    // Assess
    expect(batch.records).toEqual([]);
    expect(batch.rejected).toHaveLength(1);
  });

  it.each([
    ['a single object', fixture('chunk-ready.json'), /but got a single object/],
    ['an empty array', [], /the event batch is empty/],
    ['a number', 42, /but got number/],
  ])('rejects %s in batch mode with an EventShapeError', async (_label, input, message) => {
    // Prepare
    const handler = middy(async () => 'ran').use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema, mode: 'batch' })]);
    // Act
    const error = await handler(bufferOf(input), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EventShapeError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('classifyErrors', () => {
  it('parks a permanent failure and answers a parked response', async () => {
    // Prepare
    const event = fixture('changes-published.json');
    const { park, parked } = recordingPark();
    const handler = pipelineHandler(
      async () => {
        throw new PermanentError('index docs is not registered', { code: 'IndexUnknown' });
      },
      { park },
    );
    const context = fcContext('req-7');
    // Act
    const result = await handler(bufferOf(event), context);
    // Assess
    expect(result).toEqual({ status: 'parked', code: 'IndexUnknown', reason: 'index docs is not registered' });
    expect(parked).toEqual([
      {
        functionName: 't',
        requestId: 'req-7',
        eventId: event.id,
        eventType: 'vectorsync.changes.published',
        code: 'IndexUnknown',
        reason: 'index docs is not registered',
        event,
      },
    ]);
    expect(park.mock.calls[0]?.[1]).toBe(context);
  });

  it('parks an SDK error with a 4xx status under its own code', async () => {
    // Prepare
    const { park, parked } = recordingPark();
    const notFound = Object.assign(new Error('The specified bucket does not exist.'), { status: 404, code: 'NoSuchBucket' });
    const handler = pipelineHandler(
      async () => {
        throw notFound;
      },
      { park },
    );
    // Act
    const result = await handler(bufferOf(fixture('chunk-ready.json')), fcContext());
    // Assess
    expect(result).toEqual({ status: 'parked', code: 'NoSuchBucket', reason: 'The specified bucket does not exist.' });
    expect(parked).toHaveLength(1);
  });

  it('parks under the error name when the error has no code', async () => {
    // Prepare
    const { park } = recordingPark();
    const handler = pipelineHandler(
      async () => {
        throw Object.assign(new RangeError('limit exceeded'), { statusCode: 400 });
      },
      { park },
    );
    // Act
    const result = await handler(bufferOf(fixture('chunk-ready.json')), fcContext());
    // Assess
    expect(result).toEqual({ status: 'parked', code: 'RangeError', reason: 'limit exceeded' });
  });

  it.each([
    ['a TransientError', new TransientError('downstream is throttling', { code: 'Throttling' })],
    ['a 503 from an SDK', Object.assign(new Error('Service Unavailable'), { statusCode: 503 })],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an unknown error (a bug)', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('rethrows %s and does not park it', async (_label, failure) => {
    // Prepare
    const { park } = recordingPark();
    const handler = pipelineHandler(
      async () => {
        throw failure;
      },
      { park },
    );
    // Act
    const error = await handler(bufferOf(fixture('chunk-ready.json')), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBe(failure);
    expect(park).not.toHaveBeenCalled();
  });

  it('turns a failing park into a transient ParkFailed error', async () => {
    // Prepare
    const parkFailure = new Error('connection refused');
    const park = vi.fn<ParkFn>(async () => {
      throw parkFailure;
    });
    const handler = pipelineHandler(
      async () => {
        throw new PermanentError('index docs is not registered', { code: 'IndexUnknown' });
      },
      { park },
    );
    // Act
    const error = await handler(bufferOf(fixture('chunk-ready.json')), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'ParkFailed', kind: 'transient' });
    expect((error as Error).message).toBe('parking a permanent failure failed: connection refused');
    expect((error as Error).cause).toBe(parkFailure);
    expect(park).toHaveBeenCalledTimes(1);
  });

  it('parks the event text and no event id when the bytes are not JSON', async () => {
    // Prepare
    const { park, parked } = recordingPark();
    const run = vi.fn(async () => 'ran');
    const handler = pipelineHandler(run, { park });
    // Act
    const result = await handler(Buffer.from('{"id": "x", oops'), fcContext('req-9'));
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'EventNotJson' });
    expect(parked[0]).toMatchObject({ functionName: 't', requestId: 'req-9', code: 'EventNotJson', event: '{"id": "x", oops' });
    expect(parked[0]).not.toHaveProperty('eventId');
    expect(parked[0]).not.toHaveProperty('eventType');
    expect(run).not.toHaveBeenCalled();
  });

  it('parks the whole decoded event when validation fails', async () => {
    // Prepare
    const { park, parked } = recordingPark();
    const event = fixture('rebuild.json');
    event.data.index = 'my-docs';
    const handler = pipelineHandler(async () => 'ran', { park });
    // Act
    const result = await handler(bufferOf(event), fcContext());
    // Assess
    expect(result).toMatchObject({ status: 'parked', code: 'EventInvalid' });
    expect(parked[0]?.event).toEqual(event);
    expect(parked[0]?.reason).toMatch(/data\.index: index name must start with a letter/);
  });

  it.each(badEventCases())('parks $name with code $code', async ({ payload, code, message }) => {
    // Prepare
    const { park, parked } = recordingPark();
    const run = vi.fn(async () => 'ran');
    const handler = pipelineHandler(run, { park });
    // Act
    const result: any = await handler(payload, fcContext());
    // Assess
    expect(result.status).toBe('parked');
    expect(result.code).toBe(code);
    expect(result.reason).toMatch(message);
    expect(parked).toHaveLength(1);
    expect(run).not.toHaveBeenCalled();
  });

  it('follows a classify override', async () => {
    // Prepare
    const { park } = recordingPark();
    const handler = middy(async () => {
      throw new TransientError('looks transient', { code: 'Odd' });
    }).use(classifyErrors({ park, classify: () => 'permanent' }));
    // Act
    const result = await handler(fixture('chunk-ready.json'), fcContext());
    // Assess
    expect(result).toEqual({ status: 'parked', code: 'Odd', reason: 'looks transient' });
    expect(park).toHaveBeenCalledTimes(1);
  });

  it('parks with function name unknown when the context has none, and without a logger', async () => {
    // Prepare
    const { park, parked } = recordingPark();
    const handler = middy(async () => {
      throw new PermanentError('bad');
    }).use(classifyErrors({ park }));
    // Act
    await handler({ any: 'thing' }, { requestId: 'req-2' } as any);
    // Assess
    expect(parked[0]).toEqual({ functionName: 'unknown', requestId: 'req-2', code: 'PermanentError', reason: 'bad', event: { any: 'thing' } });
  });
});

describe('idempotency', () => {
  it('answers a duplicate event with the stored result without running again', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    let runs = 0;
    const run = vi.fn(async () => ({ runs: (runs += 1) }));
    const handler = pipelineHandler(run, { store });
    const event = bufferOf(fixture('chunk-ready.json'));
    // Act
    const first = await handler(event, fcContext('req-1'));
    const second = await handler(event, fcContext('req-2'));
    // Assess
    expect(first).toEqual({ runs: 1 });
    expect(second).toEqual({ runs: 1 });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('answers a duplicate with null when the first run returned nothing', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const run = vi.fn(async () => undefined);
    const handler = pipelineHandler(run, { store });
    const event = bufferOf(fixture('chunk-ready.json'));
    await handler(event, fcContext('req-1'));
    // Act
    const second = await handler(event, fcContext('req-2'));
    // Assess
    expect(second).toBeNull();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('does not run again when the store hands back an undefined result', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const event = fixture('chunk-ready.json');
    await store.complete(`t:${event.id}`, undefined, 60_000);
    const run = vi.fn(async () => 'ran');
    const handler = pipelineHandler(run, { store });
    // Act
    const result = await handler(bufferOf(event), fcContext());
    // Assess
    expect(result).toBeNull();
    expect(run).not.toHaveBeenCalled();
  });

  it('runs events with different ids each once', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const run = vi.fn(async () => 'ok');
    const handler = pipelineHandler(run, { store });
    const other = fixture('chunk-ready.json');
    other.id = 'another-event-id';
    // Act
    await handler(bufferOf(fixture('chunk-ready.json')), fcContext('req-1'));
    await handler(bufferOf(other), fcContext('req-2'));
    // Assess
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('keys by function name, so another function handles the same event', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const run = vi.fn(async () => 'ok');
    const handler = pipelineHandler(run, { store });
    const event = bufferOf(fixture('chunk-ready.json'));
    // Act
    await handler(event, fcContext('req-1', 'validate'));
    await handler(event, fcContext('req-2', 'chunk'));
    // Assess
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('throws IdempotencyInProgressError for a duplicate while the first run is in flight', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const started = deferred();
    const finish = deferred();
    const { park } = recordingPark();
    const run = vi.fn(async () => {
      started.resolve();
      await finish.promise;
      return 'first';
    });
    const handler = pipelineHandler(run, { store, park });
    const event = bufferOf(fixture('chunk-ready.json'));
    const first = handler(event, fcContext('req-1'));
    await started.promise;
    // Act
    const error = await handler(event, fcContext('req-2')).catch((e: unknown) => e);
    finish.resolve();
    // Assess
    expect(error).toBeInstanceOf(IdempotencyInProgressError);
    expect(error).toMatchObject({ code: 'IdempotencyInProgress', kind: 'transient', details: { key: `t:${fixture('chunk-ready.json').id}` } });
    expect(await first).toBe('first');
    expect(run).toHaveBeenCalledTimes(1);
    expect(park).not.toHaveBeenCalled();
  });

  it('does not release the claim of the invocation in flight when a duplicate is refused', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const started = deferred();
    const finish = deferred();
    const run = vi.fn(async () => {
      started.resolve();
      await finish.promise;
      return 'first';
    });
    const handler = pipelineHandler(run, { store });
    const event = bufferOf(fixture('chunk-ready.json'));
    const first = handler(event, fcContext('req-1'));
    await started.promise;
    await handler(event, fcContext('req-2')).catch(() => undefined);
    // Act
    const third = await handler(event, fcContext('req-3')).catch((e: unknown) => e);
    finish.resolve();
    await first;
    // Assess
    expect(third).toBeInstanceOf(IdempotencyInProgressError);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('releases the claim when the run fails, so a retry runs', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const run = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new TransientError('downstream is throttling'))
      .mockResolvedValueOnce('second time lucky');
    const handler = pipelineHandler(run, { store });
    const event = bufferOf(fixture('chunk-ready.json'));
    // Act
    const firstError = await handler(event, fcContext('req-1')).catch((e: unknown) => e);
    const retried = await handler(event, fcContext('req-2'));
    const duplicate = await handler(event, fcContext('req-3'));
    // Assess
    expect(firstError).toBeInstanceOf(TransientError);
    expect(retried).toBe('second time lucky');
    expect(duplicate).toBe('second time lucky');
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('leaves no claim behind when a permanent failure is parked', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const handler = pipelineHandler(
      async () => {
        throw new PermanentError('bad');
      },
      { store },
    );
    // Act
    const result = await handler(bufferOf(fixture('chunk-ready.json')), fcContext());
    // Assess
    expect(result).toMatchObject({ status: 'parked' });
    expect(store.size).toBe(0);
  });

  it('claims nothing when there is no key', async () => {
    // Prepare
    const store = new InMemoryIdempotencyStore();
    const run = vi.fn(async () => 'ok');
    const handler = middy(run).use(idempotency({ store }));
    // Act
    await handler({ no: 'cloud event' }, fcContext());
    await handler({ no: 'cloud event' }, fcContext());
    // Assess
    expect(run).toHaveBeenCalledTimes(2);
    expect(store.size).toBe(0);
  });

  it('uses keyOf, lockMs and ttlMs when given', async () => {
    // Prepare
    const clock = { now: 0 };
    const store = new InMemoryIdempotencyStore(() => clock.now);
    const claim = vi.spyOn(store, 'claim');
    const run = vi.fn(async () => 'ok');
    const handler = middy(run).use(idempotency({ store, keyOf: () => 'fixed-key', lockMs: 5000, ttlMs: 1000 }));
    await handler({}, fcContext());
    // Act
    clock.now = 999;
    await handler({}, fcContext());
    clock.now = 1000;
    await handler({}, fcContext());
    // Assess
    expect(claim).toHaveBeenCalledWith('fixed-key', 5000);
    expect(run).toHaveBeenCalledTimes(2);
  });
});

describe('jsonLogger', () => {
  it('writes JSON lines bound to request, function, event id, event type and run id', async () => {
    // Prepare
    const event = fixture('run-completed.json');
    const log = captureLog();
    const handler = pipelineHandler(
      async (_data, context) => {
        context.log.info('report sent');
        return 'ok';
      },
      { sink: log.sink },
    );
    // Act
    await handler(bufferOf(event), fcContext('req-42'));
    // Assess
    const bound = { requestId: 'req-42', function: 't', eventId: event.id, eventType: 'vectorsync.run.completed', runId: event.data.runId };
    expect(log.records()).toEqual([
      expect.objectContaining({ level: 'info', message: 'report sent', ...bound }),
      expect.objectContaining({ level: 'info', message: 'invocation succeeded', ...bound, durationMs: expect.any(Number) }),
    ]);
  });

  it('binds no run id for an event whose data has none', async () => {
    // Prepare
    const log = captureLog();
    const handler = pipelineHandler(async () => 'ok', { sink: log.sink });
    // Act
    await handler(bufferOf(fixture('changes-published.json')), fcContext());
    // Assess
    expect(log.records()).toHaveLength(1);
    expect(log.records()[0]).toMatchObject({ eventType: 'vectorsync.changes.published' });
    expect(log.records()[0]).not.toHaveProperty('runId');
  });

  it("logs 'invocation failed' with the error kind on a transient failure", async () => {
    // Prepare
    const log = captureLog();
    const handler = pipelineHandler(
      async () => {
        throw new TransientError('downstream is throttling', { code: 'Throttling' });
      },
      { sink: log.sink },
    );
    // Act
    await handler(bufferOf(fixture('chunk-ready.json')), fcContext('req-5')).catch(() => undefined);
    // Assess
    const failed = log.records().find((r) => r.message === 'invocation failed');
    expect(failed).toMatchObject({
      level: 'error',
      requestId: 'req-5',
      function: 't',
      eventType: 'vectorsync.chunk.ready',
      kind: 'transient',
      error: { name: 'TransientError', message: 'downstream is throttling', code: 'Throttling' },
      durationMs: expect.any(Number),
    });
    expect(log.records().map((r) => r.message)).toContain('transient failure; the event will be retried');
  });

  it("logs 'invocation failed' with kind permanent when nothing parks the failure", async () => {
    // Prepare
    const log = captureLog();
    const handler = middy(async () => {
      throw new PermanentError('bad input', { code: 'BadInput' });
    }).use(jsonLogger({ sink: log.sink }));
    // Act
    const error = await handler({}, fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(PermanentError);
    expect(log.records()).toEqual([
      expect.objectContaining({ message: 'invocation failed', kind: 'permanent', error: { name: 'PermanentError', message: 'bad input', code: 'BadInput' } }),
    ]);
  });

  it('logs a parked failure as a warning with its code and reason', async () => {
    // Prepare
    const log = captureLog();
    const handler = pipelineHandler(
      async () => {
        throw new PermanentError('index docs is not registered', { code: 'IndexUnknown' });
      },
      { sink: log.sink },
    );
    // Act
    await handler(bufferOf(fixture('chunk-ready.json')), fcContext('req-3'));
    // Assess
    expect(log.records()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'permanent failure parked',
        requestId: 'req-3',
        code: 'IndexUnknown',
        reason: 'index docs is not registered',
      }),
    );
  });

  it('logs the start at debug level only', async () => {
    // Prepare
    const quiet = captureLog();
    const verbose = captureLog();
    const run = async () => 'ok';
    // Act
    await middy(run).use(jsonLogger({ sink: quiet.sink }))({}, fcContext());
    await middy(run).use(jsonLogger({ sink: verbose.sink, level: 'debug' }))({}, fcContext());
    // Assess
    expect(quiet.records().map((r) => r.message)).toEqual(['invocation succeeded']);
    expect(verbose.records().map((r) => r.message)).toEqual(['invocation started', 'invocation succeeded']);
  });

  it('takes its level from LOG_LEVEL when none is given, as s.yaml sets it', async () => {
    // Prepare
    const debug = captureLog();
    const warn = captureLog();
    const run = async () => 'ok';
    // Act
    vi.stubEnv('LOG_LEVEL', 'debug');
    await middy(run).use(jsonLogger({ sink: debug.sink }))({}, fcContext());
    vi.stubEnv('LOG_LEVEL', 'warn');
    await middy(run).use(jsonLogger({ sink: warn.sink }))({}, fcContext());
    vi.unstubAllEnvs();
    // Assess
    expect(debug.records().map((r) => r.message)).toEqual(['invocation started', 'invocation succeeded']);
    expect(warn.records()).toEqual([]);
    expect(levelFromEnvironment({ LOG_LEVEL: 'verbose' })).toBe('info');
    expect(levelFromEnvironment({})).toBe('info');
    expect(levelFromEnvironment({ LOG_LEVEL: ' ERROR ' })).toBe('error');
  });

  it('puts a logger bound to the request on context.log', async () => {
    // Prepare
    let bindings: unknown;
    const handler = middy(async (_event: unknown, context: PipelineContext) => {
      bindings = context.log.bindings;
    }).use(jsonLogger({ sink: () => undefined }));
    // Act
    await handler({}, fcContext('req-8', 'notify'));
    // Assess
    expect(bindings).toEqual({ requestId: 'req-8', function: 'notify' });
  });

  it('binds the batch size and the number of rejected records in batch mode', async () => {
    // Prepare
    const log = captureLog();
    const bad = fixture('chunk-ready.json');
    bad.data.chunkNo = 'x';
    const handler = pipelineHandler(
      async (_batch, context) => {
        context.log.info('batch handled');
      },
      { sink: log.sink, mode: 'batch' },
    );
    // Act
    await handler(bufferOf([fixture('chunk-ready.json'), bad, fixture('run-accepted.json')]), fcContext());
    // Assess
    expect(log.records()[0]).toMatchObject({ message: 'batch handled', batchSize: 3, rejected: 1 });
  });

  it('redacts secrets the handler logs', async () => {
    // Prepare
    const log = captureLog();
    const handler = pipelineHandler(
      async (_data, context) => {
        context.log.info('connecting', { url: 'postgres://postgres:hunter2@db:5432/postgres', credentials: context.credentials });
      },
      { sink: log.sink },
    );
    // Act
    await handler(bufferOf(fixture('chunk-ready.json')), fcContext());
    // Assess
    expect(log.lines.join('\n')).not.toContain('hunter2');
    expect(log.records()[0]).toMatchObject({ url: 'postgres://postgres:***@db:5432/postgres' });
  });
});

describe('fcPipeline', () => {
  it('runs the handler with the data of a Buffer event and the envelope on the context', async () => {
    // Prepare
    const event = fixture('sync.json');
    const run = vi.fn(async (data: any, context: PipelineContext) => ({ op: data.op, id: context.cloudEvent?.id }));
    const handler = pipelineHandler(run);
    // Act
    const result = await handler(bufferOf(event), fcContext());
    // Assess
    expect(result).toEqual({ op: 'sync', id: 'manual-sync-20261122-0001' });
    expect(run.mock.calls[0]?.[0]).toEqual(event.data);
  });

  it('hands a batch-mode handler the records and the rejected ones', async () => {
    // Prepare
    const bad = fixture('task-completed.json');
    bad.data.exitCode = 'zero';
    const { park } = recordingPark();
    const run = vi.fn(async (batch: any) => ({ ok: batch.records.length, rejected: batch.rejected.map((r: any) => r.index) }));
    const handler = pipelineHandler(run, { mode: 'batch', park });
    // Act
    const result = await handler(bufferOf([fixture('chunk-ready.json'), bad]), fcContext());
    // Assess
    expect(result).toEqual({ ok: 1, rejected: [1] });
    expect(park).not.toHaveBeenCalled();
  });

  it('puts the middlewares in order: logger, decode, parse, classification, idempotency', () => {
    // Act
    const withStore = fcPipeline({ schema: VectorSyncEventSchema, park: async () => undefined, idempotencyStore: new InMemoryIdempotencyStore() });
    const withoutStore = fcPipeline({ schema: VectorSyncEventSchema, park: async () => undefined });
    // Assess
    expect(withStore.map((m) => [m.before?.name, m.onError?.name])).toEqual([
      ['jsonLoggerBefore', 'jsonLoggerOnError'],
      ['decodeEventBefore', undefined],
      ['parseSingle', undefined],
      [undefined, 'classifyErrorsOnError'],
      ['idempotencyBefore', 'idempotencyOnError'],
    ]);
    expect(withoutStore).toHaveLength(4);
  });
});
