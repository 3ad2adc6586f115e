import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '../../shared/logging';
import { EdgeFunctionBootError, SchedulerError, startEdgeRuntime, startPostgres, startScheduler, startSupabase } from '../../local/supabase';
import type { EdgeLogLine, EdgeRuntime, LocalPostgres, SchedulerOptions } from '../../local/supabase';
import { describeOnServer, postgresServerUrl, startTestPostgres, testDatabaseUrl } from '../helpers/database';

const FIXTURES = fileURLToPath(new URL('../fixtures/edge-functions/', import.meta.url));
const FUNCTION_KEY = 'test-function-key';
/** Every call of the `slow` fixture takes this long, longer than the scheduler's test period. */
const SLOW_MS = 400;

let pg: LocalPostgres;
let edge: EdgeRuntime;
let sql: Sql;
const edgeLines: EdgeLogLine[] = [];

const connect = (url: string, max = 4): Sql => postgres(url, { max, prepare: false, onnotice: () => undefined });
async function slowCounters(): Promise<{ started: number; running: number; maxRunning: number; last: { authorization: string; body: string } | null }> {
  const response = await fetch(`${edge.functionsUrl}/slow`);
  return (await response.json()) as never;
}

function capture(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: new Logger({ sink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
beforeAll(async () => {
  // Set before start: the functions must not see it.
  process.env.SECRET_TEST_VAR = 'parent-only';
  pg = await startTestPostgres();
  sql = connect(pg.url);
  edge = await startEdgeRuntime({
    functionsDir: FIXTURES,
    functions: ['echo', 'slow'],
    dbUrl: pg.url,
    env: { ECHO_EXTRA: 'extra-value', SLOW_MS: String(SLOW_MS) },
    log: (line) => edgeLines.push(line),
  });
});

afterAll(async () => {
  delete process.env.SECRET_TEST_VAR;
  await edge?.close();
  await sql?.end({ timeout: 1 });
  await pg?.close();
});

/** Runs `use` on PGlite: the suite's own database, or a new PGlite when the suite runs on the real server. */
async function onPglite(use: (pglite: LocalPostgres, client: Sql) => Promise<void>): Promise<void> {
  if (pg.kind === 'pglite') return use(pg, sql);
  const pglite = await startPostgres();
  const client = connect(pglite.url);
  try {
    await use(pglite, client);
  } finally {
    await client.end({ timeout: 1 });
    await pglite.close();
  }
}

/** Backends connected to the database `name` of the real server (seen from the `postgres` database). */
async function backendsOn(admin: Sql, name: string): Promise<number> {
  const [row] = await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${name}`;
  return row?.n ?? -1;
}

/** Backends left on `name` once closed connections had time to end (a backend exits just after its client's Terminate). */
async function backendsAfterClose(admin: Sql, name: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await backendsOn(admin, name)) === 0) return 0;
    await sleep(50);
  }
  return backendsOn(admin, name);
}

describe('startPostgres', () => {
  // PGlite's own: its one backend behind a socket, so this stays on PGlite with DATABASE=postgres.
  it('serves the migrated schema from PGlite to concurrent postgres.js connections', async () => {
    await onPglite(async (pglite, client) => {
      // Prepare
      const queries = Array.from({ length: 40 }, (_, index) => client`select ${index}::int as n, array(select nspname::text from pg_namespace where nspname in ('pgmq', 'vector_sync', 'extensions') order by 1) as schemas`);
      // Act
      const results = await Promise.all(queries);
      const [{ extname } = { extname: null }] = await client`select extname from pg_extension where extname = 'vector'`;
      // Assess
      // Without holdExtendedProtocol, concurrent extended-protocol queries mixed up their statements.
      expect(results.map(([row]) => row?.n)).toEqual(Array.from({ length: 40 }, (_, index) => index));
      expect(results[0]?.[0]?.schemas).toEqual(['extensions', 'pgmq', 'vector_sync']);
      expect(extname).toBe('vector');
      expect(pglite.url).toBe(`postgres://postgres:postgres@127.0.0.1:${pglite.port}/postgres?sslmode=disable`);
    });
  });

  it('keeps data across a restart with a data directory', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'ovs-pglite-'));
    try {
      const first = await startPostgres({ dataDir });
      const client = connect(first.url, 2);
      await client`create table public.kept (note text)`;
      await client`insert into public.kept values ('survives')`;
      await client.end({ timeout: 1 });
      await first.close();
      // Act
      const second = await startPostgres({ dataDir });
      const again = connect(second.url, 2);
      const rows = await again`select note from public.kept`;
      await again.end({ timeout: 1 });
      await second.close();
      // Assess
      expect(first.appliedMigrations.length).toBeGreaterThan(0);
      expect(second.appliedMigrations).toEqual([]);
      expect(rows.map((row) => row.note)).toEqual(['survives']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('startEdgeRuntime', () => {
  it('passes method, path, query, headers and body through and returns the status', async () => {
    // Act
    const response = await fetch(`${edge.functionsUrl}/echo/items/42?status=201&x=1`, { method: 'PATCH', headers: { 'x-probe': 'yes', authorization: 'Bearer abc' }, body: '{"hello":"world"}' });
    const body = (await response.json()) as Record<string, unknown>;
    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-fixture')).toBe('echo');
    expect(body).toMatchObject({ method: 'PATCH', path: '/echo/items/42', search: '?status=201&x=1', body: '{"hello":"world"}' });
    expect(body.headers).toMatchObject({ 'x-probe': 'yes', authorization: 'Bearer abc' });
  });

  it("gives functions Supabase's variables and the caller's, and nothing of the parent's environment", async () => {
    // Act
    const body = (await (await fetch(`${edge.functionsUrl}/echo`)).json()) as { env: Record<string, string | null>; envNames: string[] };
    // Assess
    expect(body.env).toEqual({
      SUPABASE_URL: edge.url,
      SUPABASE_DB_URL: pg.url,
      SUPABASE_ANON_KEY: expect.any(String),
      SUPABASE_SERVICE_ROLE_KEY: expect.any(String),
      ECHO_EXTRA: 'extra-value',
      SECRET_TEST_VAR: null,
    });
    expect(body.envNames).not.toContain('SECRET_TEST_VAR');
    expect(body.envNames.filter((name) => !name.startsWith('SUPABASE_') && !name.startsWith('DENO_')).sort()).toEqual(['ECHO_EXTRA', 'HOME', 'NO_COLOR', 'PATH', 'SLOW_MS']);
  });

  it.each(['nope', '_shared', 'no-entry', 'boom'])('answers 404 JSON for %s, which it does not serve', async (name) => {
    // Act
    const response = await fetch(`${edge.functionsUrl}/${name}`, { method: 'POST', body: '{}' });
    // Assess
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sends function output lines to the log sink', async () => {
    // Act
    await (await fetch(`${edge.functionsUrl}/echo/logged`)).text();
    // Assess
    expect(edgeLines).toContainEqual({ function: 'echo', stream: 'stdout', line: 'echo GET /echo/logged' });
  });

  it('answers 503 once a function process is down', async () => {
    // Prepare
    const own = await startEdgeRuntime({ functionsDir: FIXTURES, functions: ['echo'], log: () => undefined });
    try {
      await own.functions.get('echo')?.stop();
      // Act
      const response = await fetch(`${own.functionsUrl}/echo`);
      // Assess
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'FUNCTION_UNAVAILABLE', name: 'echo' });
    } finally {
      await own.close();
    }
  });

  it('fails to start with the name and output of a function that crashes at boot', async () => {
    // Act
    const start = startEdgeRuntime({ functionsDir: FIXTURES, functions: ['echo', 'boom'], log: () => undefined });
    // Assess
    const error = await start.then(() => undefined, (reason: unknown) => reason);
    expect(error).toBeInstanceOf(EdgeFunctionBootError);
    expect(error).toMatchObject({ functionName: 'boom' });
    expect((error as EdgeFunctionBootError).message).toMatch(/edge function boom exited at boot[\s\S]*boom at boot/u);
  });

  it('refuses a function name without a folder', async () => {
    // Act
    const start = startEdgeRuntime({ functionsDir: FIXTURES, functions: ['missing'] });
    // Assess
    await expect(start).rejects.toThrow(/edge function missing not found/u);
  });
});

describe('startScheduler', () => {
  const base = (): Pick<SchedulerOptions, 'gatewayUrl' | 'functionKey' | 'logger'> => ({ gatewayUrl: edge.url, functionKey: FUNCTION_KEY, logger: capture().logger });

  it('fails clearly when vector_sync.schedules does not exist', async () => {
    // Prepare: hide the table, if a migration created it, inside a transaction that is rolled back
    const rollback = new Error('rollback');
    let error: unknown;
    // Act
    await sql
      .begin(async (tx) => {
        await tx`alter table if exists vector_sync.schedules rename to schedules_hidden_by_test`;
        error = await startScheduler({ sql: tx as unknown as Sql, ...base() }).then(() => undefined, (reason: unknown) => reason);
        throw rollback;
      })
      .catch((reason: unknown) => {
        if (reason !== rollback) throw reason;
      });
    // Assess
    expect(error).toBeInstanceOf(SchedulerError);
    expect(String(error)).toMatch(/vector_sync\.schedules does not exist/u);
  });

  describe('with jobs in vector_sync.schedules', () => {
    beforeAll(async () => {
      // Until the migration that creates the table lands, the test brings its own (same columns).
      await sql.unsafe(`
        create table if not exists vector_sync.schedules (name text primary key, schedule text not null, function_name text, command text);
        create table public.scheduler_probe (id serial primary key, at timestamptz not null default now());
        insert into vector_sync.schedules (name, schedule, function_name, command) values
          ('test-slow', '10 seconds', 'slow', null),
          ('test-missing', '10 seconds', 'nope', null),
          ('test-command', '*/5 * * * *', null, 'insert into public.scheduler_probe default values; insert into public.scheduler_probe default values');
      `).simple();
    });

    it('calls a function job on its interval with the bearer key and an empty JSON body, never overlapping runs', async () => {
      // Prepare
      const before = await slowCounters();
      const scheduler = await startScheduler({ sql, ...base(), jobs: ['test-slow'], intervalOverrideMs: 150 });
      // Act
      await sleep(SLOW_MS * 3);
      await scheduler.close();
      const after = await slowCounters();
      // Assess
      expect(after.started - before.started).toBeGreaterThanOrEqual(2);
      expect(after.maxRunning).toBe(1);
      expect(after.last).toEqual({ authorization: `Bearer ${FUNCTION_KEY}`, body: '{}' });
      expect(scheduler.runs.filter((run) => run.status === 'succeeded').length).toBeGreaterThanOrEqual(1);
      expect(scheduler.runs.some((run) => run.status === 'skipped')).toBe(true);
    });

    it('skips runNow while the previous run of the job is still going', async () => {
      // Prepare
      const scheduler = await startScheduler({ sql, ...base(), jobs: ['test-slow'] });
      // Act
      const [first, second] = await Promise.all([scheduler.runNow('test-slow'), scheduler.runNow('test-slow')]);
      await scheduler.close();
      // Assess
      expect(first).toMatchObject({ job: 'test-slow', status: 'succeeded', httpStatus: 200 });
      expect(first.durationMs).toBeGreaterThanOrEqual(SLOW_MS - 50);
      expect(second).toMatchObject({ job: 'test-slow', status: 'skipped' });
    });

    it('runs a command job as SQL and logs each run as a JSON line', async () => {
      // Prepare
      const { logger, lines } = capture();
      const scheduler = await startScheduler({ db: pg.db, ...base(), jobs: ['test-command'], logger });
      // Act
      const run = await scheduler.runNow('test-command');
      await scheduler.close();
      // Assess
      const [{ count } = { count: 0 }] = await sql`select count(*)::int as count from public.scheduler_probe`;
      expect(run.status).toBe('succeeded');
      expect(count).toBe(2);
      expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'scheduled job ran', job: 'test-command', kind: 'command', status: 'succeeded', durationMs: expect.any(Number) })]);
    });

    it('runs command jobs on their interval too', async () => {
      // Prepare
      const [{ count: before } = { count: 0 }] = await sql`select count(*)::int as count from public.scheduler_probe`;
      const scheduler = await startScheduler({ sql, ...base(), jobs: ['test-command'], intervalOverrideMs: { 'test-command': 50 } });
      // Act
      await sleep(400);
      await scheduler.close();
      // Assess
      const [{ count: after } = { count: 0 }] = await sql`select count(*)::int as count from public.scheduler_probe`;
      expect(after - before).toBeGreaterThanOrEqual(4);
    });

    it('records a failed function job with its HTTP status', async () => {
      // Prepare
      const { logger, lines } = capture();
      const scheduler = await startScheduler({ sql, ...base(), jobs: ['test-missing'], logger });
      // Act
      const run = await scheduler.runNow('test-missing');
      await scheduler.close();
      // Assess
      expect(run).toMatchObject({ status: 'failed', httpStatus: 404, error: expect.stringMatching(/^HTTP 404/u) });
      expect(lines[0]).toMatchObject({ level: 'error', job: 'test-missing', status: 'failed', httpStatus: 404 });
    });

    it('refuses a job name that is not in the table', async () => {
      // Act
      const start = startScheduler({ sql, ...base(), jobs: ['not-a-job'] });
      // Assess
      await expect(start).rejects.toThrow(/no such job in vector_sync\.schedules: not-a-job/u);
    });
  });
});

describe('startSupabase', () => {
  it('starts Postgres and the functions wired to it, and closes both', async () => {
    // Prepare
    const database = await testDatabaseUrl();
    const supabase = await startSupabase({ ...(database.databaseUrl === undefined ? {} : { databaseUrl: database.databaseUrl }), functionsDir: FIXTURES, functions: ['echo'], functionsEnv: { ECHO_EXTRA: 'composed' }, schedule: false, edgeLog: () => undefined });
    try {
      // Act
      const body = (await (await fetch(`${supabase.functionsUrl}/echo`)).json()) as { env: Record<string, string | null> };
      // Assess
      expect(body.env).toMatchObject({ SUPABASE_URL: supabase.url, SUPABASE_DB_URL: supabase.dbUrl, ECHO_EXTRA: 'composed' });
      expect(supabase.scheduler).toBeUndefined();
    } finally {
      await supabase.close();
      await database.drop();
    }
    await expect(fetch(`${supabase.functionsUrl}/echo`)).rejects.toThrow();
  });
});

describeOnServer('startSupabase with a database URL', () => {
  it('migrates an empty database, points the functions and the scheduler at it, and leaves no connection to it after close', async () => {
    // Prepare
    const adminUrl = postgresServerUrl() ?? '';
    const admin = connect(adminUrl, 1);
    const name = `start_supabase_${process.pid}_${Date.now().toString(36)}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const migrations = readdirSync(fileURLToPath(new URL('../../supabase/migrations/', import.meta.url))).filter((file) => file.endsWith('.sql'));
    try {
      // Act
      const supabase = await startSupabase({ databaseUrl, functionsDir: FIXTURES, functions: ['echo'], schedule: true, logger: capture().logger, edgeLog: () => undefined });
      const body = (await (await fetch(`${supabase.functionsUrl}/echo`)).json()) as { env: Record<string, string | null> };
      const drift = await supabase.scheduler?.runNow('drift-scan');
      const connected = await backendsOn(admin, name);
      await supabase.close();
      const left = await backendsAfterClose(admin, name);
      const again = await startPostgres({ databaseUrl });
      await again.close();
      // Assess
      expect(supabase.postgres.kind).toBe('server');
      expect(supabase.dbUrl).toBe(databaseUrl);
      expect(supabase.postgres.appliedMigrations).toHaveLength(migrations.length);
      expect(body.env.SUPABASE_DB_URL).toBe(databaseUrl);
      expect(supabase.scheduler?.jobs.map((job) => job.name).sort()).toEqual(['drift-scan', 'embed-documents', 'publish-changes']);
      expect(drift).toMatchObject({ status: 'succeeded' });
      expect(connected).toBeGreaterThan(0);
      expect(left).toBe(0);
      expect(again.appliedMigrations).toEqual([]);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 1 });
    }
  });
});
