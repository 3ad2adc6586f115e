// Fuzz: at least 1,000 generated bad events to each of the six handlers, as FC hands them over (a
// Buffer), with every setting valid. Each must be refused once (the handler answers, nothing is
// thrown for EventBridge to retry), parked with a reason, and write nothing else: no run, chunk,
// batch, index, digest or queue row, no event on the bus, no command, no e-mail, no object.
// FUZZ_SEED reproduces a run; FUZZ_EVENTS sets the count per handler.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as z from 'zod';
import { functionEnvironment } from '../../local/stack/startLocalCloud';
import type { StackFunctionName } from '../../local/stack/constants';
import {
  ChangesPublishedEventSchema,
  ChunkReadyEventSchema,
  DigestRequestedEventSchema,
  RunAcceptedEventSchema,
  RunCompletedEventSchema,
  RunRequestedEventSchema,
  StatsRequestedEventSchema,
  TaskCompletedEventSchema,
  TimerEventSchema,
  eventUnion,
} from '../../shared/contracts';
import { badEventsFor, seededRandom } from '../helpers/fuzzEvents';
import type { Accepts } from '../helpers/fuzzEvents';
import { RESEND_KEY, startHarness } from '../helpers/pipelineHarness';
import type { Harness } from '../helpers/pipelineHarness';

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const COUNT = Number(process.env.FUZZ_EVENTS ?? 1000);
const decoder = new TextDecoder('utf-8', { fatal: true });

/** True when `schema` takes the body once decoded as the handler decodes it. */
function acceptedBy(...schemas: z.ZodType[]): Accepts {
  return (body) => {
    let value: unknown;
    try {
      const text = decoder.decode(body);
      if (text.trim() === '') return false;
      value = JSON.parse(text);
    } catch {
      return false;
    }
    return schemas.some((schema) => schema.safeParse(value).success);
  };
}

/** Each handler, the fixtures of its events and its contract. */
const TARGETS: readonly { name: StackFunctionName; bases: string[]; accepts: Accepts }[] = [
  { name: 'validate', bases: ['changes-published.json', 'sync.json', 'rebuild.json', 'verify.json'], accepts: acceptedBy(eventUnion(ChangesPublishedEventSchema, RunRequestedEventSchema)) },
  { name: 'chunk', bases: ['run-accepted.json'], accepts: acceptedBy(RunAcceptedEventSchema) },
  { name: 'dispatch', bases: ['chunk-ready.json'], accepts: acceptedBy(ChunkReadyEventSchema) },
  { name: 'collect-stats', bases: ['task-completed.json', 'stats-requested.json'], accepts: acceptedBy(eventUnion(TaskCompletedEventSchema, StatsRequestedEventSchema)) },
  { name: 'reconcile', bases: ['reconcile-timer.json', 'run-accepted.json'], accepts: acceptedBy(TimerEventSchema) },
  { name: 'notify', bases: ['run-completed.json', 'digest.json', 'reconcile-timer.json'], accepts: acceptedBy(eventUnion(RunCompletedEventSchema, DigestRequestedEventSchema), TimerEventSchema) },
];

let h: Harness;

/** Row counts of every table the pipeline writes, but the parking lot; and what the emulators hold. */
async function footprint(): Promise<Record<string, number>> {
  const tables = await h.sql<{ name: string }[]>`
    select table_schema || '.' || table_name as name from information_schema.tables
    where table_schema in ('vector_sync', 'public', 'pgmq') and table_type = 'BASE TABLE' and table_name <> 'parked_events' order by 1`;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [schema = '', table = ''] = name.split('.');
    const [row] = await h.sql<{ n: number }[]>`select count(*)::int as n from ${h.sql(schema)}.${h.sql(table)}`;
    counts[name] = row?.n ?? 0;
  }
  counts['bus deliveries'] = h.bus.deliveries.length;
  counts['RunCommands'] = h.ecs?.runner.list().length ?? 0;
  counts['e-mails'] = (await h.resend?.outbox.list())?.length ?? 0;
  return counts;
}

async function parkedBy(name: string): Promise<{ rows: number; repeats: number; unreasoned: number }> {
  const [row] = await h.sql<{ rows: number; repeats: number; unreasoned: number }[]>`
    select count(*)::int as rows, coalesce(sum(repeats), 0)::int as repeats, count(*) filter (where coalesce(reason, '') = '')::int as unreasoned
    from vector_sync.parked_events where function_name = ${name}`;
  return row ?? { rows: 0, repeats: 0, unreasoned: 0 };
}

async function loadHandler(name: StackFunctionName): Promise<(event: Buffer, context: unknown) => Promise<unknown>> {
  vi.resetModules();
  vi.unstubAllEnvs();
  const all: Record<string, string> = {
    SUPABASE_DB_URL: h.pg.url, LOG_LEVEL: 'error', EVENTBRIDGE_ENDPOINT: `http://${h.bus.endpoint}`, EVENT_BUS_NAME: 'vector-sync',
    ECS_REGION_ID: h.bus.region, ECS_ENDPOINT: `http://${h.ecs?.endpoint ?? ''}`, ECS_INSTANCE_IDS: 'i-local0001', RUN_COMMAND_TIMEOUT_SECONDS: '60',
    WORKER_VERSION: '0.0.0-fuzz', OSS_ENDPOINT: h.oss?.endpoint ?? '', OSS_BUCKET: h.oss?.bucket ?? '', WORKER_PREFIX: 'worker/', REPORT_PREFIX: 'reports/',
    VECTOR_BUCKET: 'local-vectors', VECTOR_DIMENSION: '384', RESEND_API_KEY: RESEND_KEY, RESEND_BASE_URL: h.resend?.baseUrl ?? '',
    REPORT_FROM: 'vector-sync@reports.local.test', REPORT_TO: 'ops@local.test',
  };
  for (const [key, value] of Object.entries(functionEnvironment(name, all))) vi.stubEnv(key, value);
  const module = (await import(`../../functions/${name}/index.ts`)) as { handler: (event: Buffer, context: unknown) => Promise<unknown> };
  return module.handler;
}

beforeAll(async () => {
  h = await startHarness({ ecs: true, oss: true, resend: true });
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await h.close();
});

describe(`handlers under ${COUNT} generated bad events each (FUZZ_SEED=${SEED})`, () => {
  it.each(TARGETS)('$name refuses each once, parks it with a reason and writes nothing', async ({ name, bases, accepts }) => {
    // Prepare
    const random = seededRandom(SEED + name.length * 7919 + name.charCodeAt(0));
    const { bodies } = badEventsFor(bases, accepts, COUNT, random);
    const handler = await loadHandler(name);
    const before = await footprint();
    const parkedBefore = await parkedBy(name);
    // Act
    const thrown: { body: string; error: string }[] = [];
    const unparked: { body: string; answer: unknown }[] = [];
    for (const [n, body] of bodies.entries()) {
      try {
        const answer = await handler(body, h.fcContext(name, `fuzz-${name}-${n}`));
        if ((answer as { status?: unknown } | undefined)?.status !== 'parked') unparked.push({ body: body.toString('utf8').slice(0, 200), answer });
      } catch (error) {
        thrown.push({ body: body.toString('utf8').slice(0, 200), error: error instanceof Error ? error.message : String(error) });
      }
    }
    await h.bus.idle();
    // Assert
    expect(thrown.slice(0, 5)).toEqual([]);
    expect(unparked.slice(0, 5)).toEqual([]);
    const parked = await parkedBy(name);
    expect(parked.repeats - parkedBefore.repeats).toBe(bodies.length);
    expect(parked.unreasoned).toBe(0);
    // The generator reaches every layer of refusal: bytes, JSON shape and contract.
    const codes = await h.sql<{ code: string }[]>`select distinct code from vector_sync.parked_events where function_name = ${name}`;
    expect(codes.map((row) => row.code)).toEqual(expect.arrayContaining(name === 'reconcile' ? ['EventNotJson', 'EventInvalid'] : ['EventNotJson', 'EventShapeMismatch', 'EventInvalid']));
    expect(await footprint()).toEqual(before);
  }, 300_000);
});
