import middy from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { EventDecodeError, EventShapeError, EventValidationError, VectorSyncEventSchema } from '../../shared/contracts';
import { PermanentError, TransientError } from '../../shared/errors';
import {
  classifyErrors,
  decodeEvent,
  fcPipeline,
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

/** A handler on the full pipeline whose body is `run`. */
function pipelineHandler(
  run: (event: any, context: PipelineContext) => Promise<unknown>,
  options: { park?: ParkFn; sink?: (line: string) => void } = {},
) {
  return middy(run).use(
    fcPipeline({
      schema: VectorSyncEventSchema,
      park: options.park ?? recordingPark().park,
      sink: options.sink ?? (() => undefined),
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
  it('hands on the type and the data and puts the envelope attributes on context.cloudEvent', async () => {
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
    expect(seen.event).toEqual({ type: event.type, data });
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

  it('rejects an array (the event-streaming batch shape) with an EventShapeError', async () => {
    // Prepare
    const handler = middy(async () => 'ran').use([decodeEvent(), parseEvent({ schema: VectorSyncEventSchema })]);
    // Act
    const error = await handler(bufferOf([fixture('chunk-ready.json')]), fcContext()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(EventShapeError);
    expect((error as Error).message).toMatch(/got a JSON array of 1 event\(s\)/);
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
  it('runs the handler with the type and data of a Buffer event and the envelope on the context', async () => {
    // Prepare
    const event = fixture('sync.json');
    const run = vi.fn(async (input: any, context: PipelineContext) => ({ op: input.data.op, id: context.cloudEvent?.id }));
    const handler = pipelineHandler(run);
    // Act
    const result = await handler(bufferOf(event), fcContext());
    // Assess
    expect(result).toEqual({ op: 'sync', id: 'manual-sync-20261122-0001' });
    expect(run.mock.calls[0]?.[0]).toEqual({ type: event.type, data: event.data });
  });

  it('puts the middlewares in order: logger, decode, parse, classification', () => {
    // Act
    const stack = fcPipeline({ schema: VectorSyncEventSchema, park: async () => undefined });
    // Assess
    expect(stack.map((m) => [m.before?.name, m.onError?.name])).toEqual([
      ['jsonLoggerBefore', 'jsonLoggerOnError'],
      ['decodeEventBefore', undefined],
      ['parseEventBefore', undefined],
      [undefined, 'classifyErrorsOnError'],
    ]);
  });
});
