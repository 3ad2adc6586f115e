import { describe, expect, it } from 'vitest';
import {
  BucketNameSchema,
  DocumentIdSchema,
  EventSchemas,
  EventValidationError,
  IndexNameSchema,
  TimerEventSchema,
  VectorSyncEventSchema,
  parseWith,
} from '../../shared/contracts';
import { fixture, loadEventFixtures, manyIds } from '../helpers/fixtures';

const fixtures = Object.entries(loadEventFixtures()).filter(([name]) => name !== 'reconcile-timer.json');

describe('event fixtures', () => {
  it.each(fixtures)('%s parses with the schema of its type', (_name, event) => {
    // Prepare
    const schema = EventSchemas[event.type as keyof typeof EventSchemas];
    // Act
    const parsed = parseWith(schema, event);
    // Assess
    expect(parsed.type).toBe(event.type);
    expect(parseWith(VectorSyncEventSchema, event).id).toBe(event.id);
  });

  it('covers every event type of the house plan', () => {
    const types = new Set(fixtures.map(([, event]) => event.type));
    expect([...types].sort()).toEqual(Object.keys(EventSchemas).sort());
  });

  it('includes a sync, a rebuild, a verify and a search request', () => {
    const ops = fixtures.filter(([, e]) => e.type === 'vectorsync.run.requested').map(([, e]) => (e.data as { op: string }).op);
    expect(ops.sort()).toEqual(['rebuild', 'search', 'sync', 'verify']);
  });

  it('parses the timer fixture as a timer event', () => {
    expect(TimerEventSchema.parse(loadEventFixtures()['reconcile-timer.json']).triggerName).toBe('reconcile-timer');
  });
});

describe('DocumentIdSchema', () => {
  it.each([
    ['a UUID', '0b8e6f3c-5d2a-4e91-9c47-1f2a3b4c5d6e'],
    ['a path-like key', 'docs/2026/report.pdf'],
    ['1,024 bytes exactly', 'a'.repeat(1024)],
  ])('accepts %s', (_label, id) => {
    expect(DocumentIdSchema.safeParse(id).success).toBe(true);
  });

  it.each([
    ['empty', '', /id is empty/],
    ['1,025 bytes', 'a'.repeat(1025), /1025 UTF-8 bytes/],
    ['multi-byte over the limit', '€'.repeat(342), /1026 UTF-8 bytes/],
    ['a semicolon', 'a;b', /shell metacharacter ";"/],
    ['a pipe', 'a|b', /shell metacharacter "\|"/],
    ['a backtick', 'a`id`', /shell metacharacter "`"/],
    ['a space', 'a b', /shell metacharacter " "/],
    ['a newline', 'a\nb', /shell metacharacter "\\n"/],
    ['a leading dash', '-rf', /must start with a letter or digit/],
  ])('rejects %s with a specific message', (_label, id, message) => {
    const result = DocumentIdSchema.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});

describe('OSS Vectors names', () => {
  it.each(['docs', 'Docs2026', 'a'.repeat(63)])('accepts index name %s', (name) => {
    expect(IndexNameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['', '2docs', 'my-docs', 'my_docs', 'my.docs', 'a'.repeat(64)])('rejects index name %j', (name) => {
    expect(IndexNameSchema.safeParse(name).success).toBe(false);
  });

  it.each(['abc', 'vector-sync-01', 'a'.repeat(32)])('accepts bucket name %s', (name) => {
    expect(BucketNameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['ab', '-abc', 'abc-', 'ABC', 'a_b_c', 'a'.repeat(33)])('rejects bucket name %j', (name) => {
    expect(BucketNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('parseWith', () => {
  it('accepts exactly 500 ids in a manual sync and rejects 501', () => {
    const event = fixture('sync.json');
    event.data.ids = manyIds(500);
    expect(() => parseWith(VectorSyncEventSchema, event)).not.toThrow();
    event.data.ids.push('one-more');
    expect(() => parseWith(VectorSyncEventSchema, event)).toThrow(/ids holds more than 500 ids/);
  });

  it('accepts a change batch of up to 100,000 ids, which the event only counts', () => {
    const event = fixture('changes-published.json');
    event.data.count = 100_000;
    expect(() => parseWith(VectorSyncEventSchema, event)).not.toThrow();
    event.data.count = 0;
    expect(() => parseWith(VectorSyncEventSchema, event)).toThrow(/count must be at least 1/);
    event.data = { ...event.data, count: 3, changes: [{ id: 'x' }] };
    expect(() => parseWith(VectorSyncEventSchema, event)).toThrow(/unknown field\(s\) changes/);
  });

  it('throws a permanent EventValidationError that lists every problem', () => {
    const event = fixture('chunk-ready.json');
    event.data = { runId: 'nope', chunkNo: -1 };
    try {
      parseWith(VectorSyncEventSchema, event);
      expect.unreachable('parse should fail');
    } catch (error) {
      expect(error).toBeInstanceOf(EventValidationError);
      const e = error as EventValidationError;
      expect(e.transient).toBe(false);
      expect(e.problems).toEqual(['data.runId: run id must be a UUID', 'data.chunkNo: chunk number must be 0 or more']);
    }
  });

  it('coerces the TaskCompleted exit code string to a number', () => {
    const parsed = parseWith(VectorSyncEventSchema, fixture('task-completed.json'));
    expect(parsed.type === 'ecs:CloudAssistant:TaskCompleted' && parsed.data.exitCode).toBe(0);
  });

  it('defaults heal to true on verify', () => {
    const event = fixture('verify.json');
    delete event.data.heal;
    const parsed = parseWith(VectorSyncEventSchema, event);
    expect(parsed.type === 'vectorsync.run.requested' && parsed.data.op === 'verify' && parsed.data.heal).toBe(true);
  });
});
