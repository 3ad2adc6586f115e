import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError, VectorSyncError, classifyError, describeError } from '../../shared/errors';

class IndexUnknownError extends PermanentError {}
class LockBusyError extends TransientError {}

function errorWith(fields: Record<string, unknown>, message = 'request failed'): Error {
  return Object.assign(new Error(message), fields);
}

describe('classifyError', () => {
  it.each([
    ['our TransientError', new TransientError('x'), 'transient'],
    ['our PermanentError', new PermanentError('x'), 'permanent'],
    ['a PermanentError subclass', new IndexUnknownError('x'), 'permanent'],
    ['a TransientError subclass', new LockBusyError('x'), 'transient'],
    ['a PermanentError that also carries a 503 status', Object.assign(new PermanentError('x'), { statusCode: 503 }), 'permanent'],
    ['a TransientError that also carries a 400 status', Object.assign(new TransientError('x'), { statusCode: 400 }), 'transient'],
    ['statusCode 429', { statusCode: 429 }, 'transient'],
    ['statusCode 500', { statusCode: 500 }, 'transient'],
    ['statusCode 503', { statusCode: 503 }, 'transient'],
    ['statusCode 408', { statusCode: 408 }, 'transient'],
    ['statusCode 400', { statusCode: 400 }, 'permanent'],
    ['statusCode 404', { statusCode: 404 }, 'permanent'],
    ['statusCode 403 on an Error', errorWith({ statusCode: 403 }), 'permanent'],
    ['status 404 (ali-oss)', { status: 404 }, 'permanent'],
    ['status 502 (ali-oss)', { status: 502 }, 'transient'],
    ['httpStatusCode 409', { httpStatusCode: 409 }, 'permanent'],
    ['response.status 422 (fetch-like)', { response: { status: 422 } }, 'permanent'],
    ['response.status 504 (fetch-like)', { response: { status: 504 } }, 'transient'],
    ['a 400 status together with a throttling code (ECS style)', { statusCode: 400, code: 'Throttling.User' }, 'transient'],
    ['a string status', { statusCode: '404' }, 'transient'],
    ['a 3xx status', { statusCode: 302 }, 'transient'],
    ['code ECONNRESET', errorWith({ code: 'ECONNRESET' }), 'transient'],
    ['code ETIMEDOUT', errorWith({ code: 'ETIMEDOUT' }), 'transient'],
    ['code UND_ERR_CONNECT_TIMEOUT', errorWith({ code: 'UND_ERR_CONNECT_TIMEOUT' }), 'transient'],
    ['code Throttling.User', errorWith({ code: 'Throttling.User' }), 'transient'],
    ['code ServiceThrottling', { code: 'ServiceThrottling' }, 'transient'],
    ['name ThrottlingError', Object.assign(new Error('slow down'), { name: 'ThrottlingError' }), 'transient'],
    ['name TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'transient'],
    ['an unknown Error', new Error('boom'), 'transient'],
    ['a TypeError (a bug)', new TypeError('x is undefined'), 'transient'],
    ['a thrown string', 'boom', 'transient'],
    ['undefined', undefined, 'transient'],
    ['null', null, 'transient'],
  ])('classifies %s as %s', (_label, error, expected) => {
    // Act
    const kind = classifyError(error);
    // Assess
    expect(kind).toBe(expected);
  });
});

describe('describeError', () => {
  it('gives the name and message of an Error', () => {
    // Act
    const described = describeError(new TypeError('x is undefined'));
    // Assess
    expect(described).toEqual({ name: 'TypeError', message: 'x is undefined' });
  });

  it('adds a string code', () => {
    // Act
    const described = describeError(errorWith({ code: 'ECONNRESET' }, 'socket hang up'));
    // Assess
    expect(described).toEqual({ name: 'Error', message: 'socket hang up', code: 'ECONNRESET' });
  });

  it('leaves out a code that is not a string', () => {
    // Act
    const described = describeError(errorWith({ code: 42 }, 'odd'));
    // Assess
    expect(described).toEqual({ name: 'Error', message: 'odd' });
  });

  it('gives the subclass name and code of our own errors', () => {
    // Act
    const described = describeError(new IndexUnknownError('index docs is not registered', { code: 'IndexUnknown' }));
    // Assess
    expect(described).toEqual({ name: 'IndexUnknownError', message: 'index docs is not registered', code: 'IndexUnknown' });
  });

  it('keeps the stack and other fields out', () => {
    // Act
    const described = describeError(errorWith({ statusCode: 500, password: 'pw' }, 'boom'));
    // Assess
    expect(Object.keys(described).sort()).toEqual(['message', 'name']);
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['a plain object', { message: 'looks like an error' }, '[object Object]'],
  ])('describes %s as a NonError', (_label, value, message) => {
    expect(describeError(value)).toEqual({ name: 'NonError', message });
  });
});

describe('VectorSyncError', () => {
  it('keeps the cause', () => {
    // Prepare
    const cause = new Error('socket hang up');
    // Act
    const error = new TransientError('publish failed', { cause });
    // Assess
    expect(error.cause).toBe(cause);
  });

  it('has no cause when none is given', () => {
    expect('cause' in new PermanentError('bad input')).toBe(false);
  });

  it.each([
    ['TransientError', new TransientError('x')],
    ['PermanentError', new PermanentError('x')],
    ['IndexUnknownError', new IndexUnknownError('x')],
    ['LockBusyError', new LockBusyError('x')],
  ])('sets name and the default code to the class name %s', (className, error) => {
    expect(error.name).toBe(className);
    expect(error.code).toBe(className);
  });

  it('takes the code and details it is given', () => {
    // Act
    const error = new IndexUnknownError('index docs is not registered', { code: 'IndexUnknown', details: { index: 'docs' } });
    // Assess
    expect(error.code).toBe('IndexUnknown');
    expect(error.details).toEqual({ index: 'docs' });
    expect(error.message).toBe('index docs is not registered');
  });

  it('has empty details by default', () => {
    expect(new TransientError('x').details).toEqual({});
  });

  it.each([
    ['TransientError', new TransientError('x'), 'transient', true],
    ['PermanentError', new PermanentError('x'), 'permanent', false],
    ['a PermanentError subclass', new IndexUnknownError('x'), 'permanent', false],
  ])('%s says whether it is worth retrying', (_label, error, kind, transient) => {
    expect(error.kind).toBe(kind);
    expect(error.transient).toBe(transient);
  });

  it('is an Error and a VectorSyncError', () => {
    // Act
    const error = new IndexUnknownError('x');
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(VectorSyncError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(TransientError);
  });
});
