// pg_cron drives vector_sync.schedules on the real PostgreSQL 15 (pg_cron 1.4.2, preloaded, jobs in
// the `postgres` database), with the migrations applied there. pg_net and Vault are not packaged
// for this machine: their stand-ins (local/supabase/sql/) take the jobs' calls, and the pg_net
// stand-in caller (local/supabase/pgNetCaller.ts) performs the HTTP requests against a recording
// server. One test waits for a real minute tick (pg_cron 1.4 takes cron syntax only).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '../../shared/logging';
import { applyMigrations, findFreePort, installStandIn, removeStandIn, sqlMigrationTarget, startPgNetCaller } from '../../local/supabase';
import type { MigrationTarget, PgNetCaller } from '../../local/supabase';
import { postgresServerSkipReason, postgresServerUrl, serverDatabase } from '../helpers/database';

const serverUrl = postgresServerUrl();
const skipped = serverUrl === undefined ? ` (skipped: ${postgresServerSkipReason()})` : '';
/** A document loaded with triggers off: only the drift scan can queue it. */
const DRIFTED_DOCUMENT = '00000000-0000-4000-8000-00000000c0de';
/** One minute tick, and the time a job and its HTTP call take after it. */
const TICK_MS = 60_000;
const AFTER_TICK_MS = 45_000;

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string;
  readonly contentType: string;
  readonly body: string;
}

/** An HTTP server that records every request and answers `{"path": ...}`; `/stall` never answers. */
async function startRecorder(): Promise<{ readonly url: string; readonly requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      if (path !== '/stall') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function capture(): { readonly logger: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: new Logger({ sink: (line) => lines.push(line) }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or fails with `what` at `deadline` (epoch ms). */
async function until<T>(what: string, deadline: number, probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(200);
  }
}

interface JobRow {
  readonly jobid: string;
  readonly jobname: string;
  readonly schedule: string;
  readonly command: string;
  readonly database: string;
  readonly active: boolean;
}

const ourJobs = async (sql: Sql): Promise<JobRow[]> => [
  ...(await sql<JobRow[]>`select jobid::text, jobname::text, schedule, command, database, active from cron.job where jobname like 'vector\_sync.%' order by jobname`),
];

describe.skipIf(serverUrl === undefined)(`vector_sync.schedules under pg_cron 1.4 on PostgreSQL 15${skipped}`, () => {
  let admin: Sql;
  let target: MigrationTarget;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let caller: PgNetCaller;
  const log = capture();
  let shipped: { name: string; schedule: string; function_name: string | null; command: string | null }[] = [];

  /** Leaves the `postgres` database as the migrations made it, also after an interrupted run. */
  async function tidy(): Promise<void> {
    await admin`drop extension if exists pg_cron`;
    await removeStandIn(target, 'pgNet');
    await removeStandIn(target, 'vault');
    await admin`delete from pgmq.q_embedding_jobs where message ->> 'id' = ${DRIFTED_DOCUMENT}`;
    await admin`delete from public.source_documents where id = ${DRIFTED_DOCUMENT}`;
  }

  beforeAll(async () => {
    admin = postgres(serverUrl ?? '', { max: 2, onnotice: () => undefined });
    target = sqlMigrationTarget(admin);
    // pg_cron can only be created in cron.database_name ('postgres'), so the migrations go there too.
    await applyMigrations(target);
    await tidy();
    shipped = [...(await admin<typeof shipped>`select name, schedule, function_name, command from vector_sync.schedules order by name`)];
    await installStandIn(target, 'pgNet');
    await installStandIn(target, 'vault');
    await admin`create extension pg_cron`;
    recorder = await startRecorder();
    caller = await startPgNetCaller({ databaseUrl: serverUrl ?? '', pollIntervalMs: 100, logger: log.logger });
  });

  afterAll(async () => {
    await caller?.close();
    await recorder?.close();
    if (admin === undefined) return;
    await admin.begin(async (tx) => {
      await tx`delete from vector_sync.schedules`;
      for (const row of shipped) await tx`insert into vector_sync.schedules ${tx(row)}`;
    });
    await tidy();
    await admin.end({ timeout: 1 });
  });

  it('refuses a schedule in seconds as a whole: pg_cron 1.4 takes cron syntax only, and no job is half made', async () => {
    // Prepare: the shipped interval ('10 seconds', fine on Supabase's pg_cron 1.6) beside a cron row.
    await admin`update vector_sync.schedules set schedule = '10 seconds' where name = 'embed-documents'`;
    await admin`update vector_sync.schedules set schedule = '*/15 * * * *' where name = 'drift-scan'`;
    // Act
    const scheduling = admin`select vector_sync.schedule_cron_jobs()`;
    // Assert
    await expect(scheduling).rejects.toThrow(/invalid schedule: 10 seconds/u);
    expect(await ourJobs(admin)).toEqual([]);
  });

  it(
    'runs every row on the next minute tick: the function jobs POST through net.http_post with the Vault key read at run time, the command job runs its SQL',
    async () => {
      // Prepare
      await admin`update vector_sync.schedules set schedule = '* * * * *'`;
      await admin`select vault.create_secret(${recorder.url}, 'project_url')`;
      const [key] = await admin<{ id: string }[]>`select vault.create_secret('key-1', 'vector_sync_function_key') as id`;
      await admin.begin(async (tx) => {
        await tx`set local session_replication_role = replica`;
        await tx`insert into public.source_documents (id, content) values (${DRIFTED_DOCUMENT}, 'loaded with triggers off')`;
      });
      // Scheduling in the last seconds of a minute may miss that tick: start just after it instead.
      if (TICK_MS - (Date.now() % TICK_MS) < 5_000) await sleep(TICK_MS - (Date.now() % TICK_MS) + 500);
      const [clock] = await admin<{ now: Date }[]>`select clock_timestamp() as now`;
      const scheduledAt = clock?.now ?? new Date();
      const deadline = scheduledAt.getTime() - (scheduledAt.getTime() % TICK_MS) + TICK_MS + AFTER_TICK_MS;

      // Act
      const [result] = await admin<{ scheduled: number }[]>`select vector_sync.schedule_cron_jobs() as scheduled`;
      const jobs = await ourJobs(admin);
      // Rotated after scheduling: a job that copied the key would still send key-1.
      await admin`select vault.update_secret(${key?.id ?? ''}::uuid, 'key-2')`;
      const runs = await until('a finished run of each job, two requests and their responses', deadline, async () => {
        const finished = await admin<{ jobname: string; status: string; return_message: string }[]>`
          select distinct on (j.jobname) j.jobname::text, d.status, d.return_message
          from cron.job_run_details as d join cron.job as j using (jobid)
          where j.jobname like 'vector\_sync.%' and d.start_time >= ${scheduledAt} and d.status in ('succeeded', 'failed')
          order by j.jobname, d.start_time`;
        const [answered] = await admin<{ n: number }[]>`select count(distinct content)::int as n from net._http_response`;
        return finished.length === 3 && recorder.requests.length >= 2 && answered?.n === 2 ? [...finished] : undefined;
      });

      // Assert: the job table
      expect(result?.scheduled).toBe(3);
      expect(jobs.map(({ jobname, schedule, database, active }) => ({ jobname, schedule, database, active }))).toEqual(
        ['drift-scan', 'embed-documents', 'publish-changes'].map((name) => ({ jobname: `vector_sync.${name}`, schedule: '* * * * *', database: 'postgres', active: true })),
      );
      expect(jobs.find((job) => job.jobname === 'vector_sync.drift-scan')?.command).toBe('select vector_sync.enqueue_drift()');
      for (const job of jobs.filter((candidate) => candidate.jobname !== 'vector_sync.drift-scan')) {
        expect(job.command).toContain('net.http_post(');
        expect(job.command).toContain('vault.decrypted_secrets');
        expect(job.command).not.toContain('key-1');
        expect(job.command).not.toContain(recorder.url);
      }
      // Assert: cron.job_run_details
      expect(runs).toEqual(['drift-scan', 'embed-documents', 'publish-changes'].map((name) => expect.objectContaining({ jobname: `vector_sync.${name}`, status: 'succeeded' })));
      // Assert: the calls, as Supabase's pg_net would make them
      const calls = new Set(recorder.requests.map((request) => JSON.stringify(request)));
      expect([...calls].map((call) => JSON.parse(call) as RecordedRequest).sort((a, b) => a.path.localeCompare(b.path))).toEqual(
        ['embed-documents', 'publish-changes'].map((name) => ({ method: 'POST', path: `/functions/v1/${name}`, authorization: 'Bearer key-2', contentType: 'application/json', body: '{}' })),
      );
      const responses = await admin<{ status_code: number; content_type: string; content: string; timed_out: boolean; error_msg: string | null }[]>`
        select distinct status_code, content_type, content, timed_out, error_msg from net._http_response order by content`;
      expect([...responses]).toEqual(
        ['embed-documents', 'publish-changes'].map((name) => ({ status_code: 200, content_type: 'application/json', content: JSON.stringify({ path: `/functions/v1/${name}` }), timed_out: false, error_msg: null })),
      );
      // Assert: the command job's effect, and no secret in the caller's log
      const [queued] = await admin<{ n: number }[]>`select count(*)::int as n from pgmq.q_embedding_jobs where message ->> 'id' = ${DRIFTED_DOCUMENT}`;
      expect(queued?.n).toBe(1);
      expect(log.lines.join('\n')).not.toContain('key-2');
    },
    150_000,
  );

  it('unschedules the job of a row deleted from vector_sync.schedules and leaves other jobs alone', async () => {
    // Prepare
    await admin`update vector_sync.schedules set schedule = '*/15 * * * *'`;
    await admin`select vector_sync.schedule_cron_jobs()`;
    await admin`select cron.schedule('someone-elses-job', '0 3 * * *', 'select 1')`;
    await admin`delete from vector_sync.schedules where name = 'drift-scan'`;
    // Act
    const [result] = await admin<{ scheduled: number }[]>`select vector_sync.schedule_cron_jobs() as scheduled`;
    // Assert
    expect(result?.scheduled).toBe(2);
    expect((await ourJobs(admin)).map((job) => job.jobname)).toEqual(['vector_sync.embed-documents', 'vector_sync.publish-changes']);
    const [other] = await admin<{ n: number }[]>`select count(*)::int as n from cron.job where jobname = 'someone-elses-job'`;
    expect(other?.n).toBe(1);
  });
});

describe.skipIf(serverUrl === undefined)(`the pg_net stand-in caller on PostgreSQL 15${skipped}`, () => {
  let copy: Awaited<ReturnType<typeof serverDatabase>>;
  let sql: Sql;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;

  beforeAll(async () => {
    copy = await serverDatabase();
    sql = postgres(copy.url, { max: 2, onnotice: () => undefined });
    await installStandIn(sqlMigrationTarget(sql), 'pgNet');
    recorder = await startRecorder();
  });

  afterAll(async () => {
    await recorder?.close();
    await sql?.end({ timeout: 1 });
    await copy?.drop();
  });

  const responsesOf = (ids: readonly string[]) =>
    sql<{ id: string; status_code: number | null; content_type: string | null; content: string | null; timed_out: boolean; error_msg: string | null }[]>`
      select id::text, status_code, content_type, content, timed_out, error_msg from net._http_response where id = any(${ids}::bigint[]) order by id`;

  it('performs queued requests with their method, headers, body and params, records the responses and empties the queue', async () => {
    // Prepare
    const caller = await startPgNetCaller({ databaseUrl: copy.url, pollIntervalMs: 50, logger: capture().logger });
    try {
      // Act
      const [post] = await sql<{ id: string }[]>`select net.http_post(${`${recorder.url}/post`}, '{"n": 1}'::jsonb, headers := '{"X-Trace": "t-1"}'::jsonb)::text as id`;
      const [get] = await sql<{ id: string }[]>`select net.http_get(${`${recorder.url}/get`}, params := '{"q": "a b&c"}'::jsonb)::text as id`;
      const ids = [post?.id ?? '', get?.id ?? ''];
      const responses = await until('two responses', Date.now() + 10_000, async () => {
        const rows = await responsesOf(ids);
        return rows.length === 2 ? [...rows] : undefined;
      });
      // Assert
      expect(recorder.requests.filter((request) => request.path !== '/stall')).toEqual(
        expect.arrayContaining([
          { method: 'POST', path: '/post', authorization: '', contentType: 'application/json', body: '{"n": 1}' },
          { method: 'GET', path: '/get?q=a%20b%26c', authorization: '', contentType: '', body: '' },
        ]),
      );
      expect(responses.map(({ status_code, content_type, content, timed_out, error_msg }) => ({ status_code, content_type, content, timed_out, error_msg }))).toEqual([
        { status_code: 200, content_type: 'application/json', content: '{"path":"/post"}', timed_out: false, error_msg: null },
        { status_code: 200, content_type: 'application/json', content: '{"path":"/get?q=a%20b%26c"}', timed_out: false, error_msg: null },
      ]);
      const [queue] = await sql<{ n: number }[]>`select count(*)::int as n from net.http_request_queue`;
      expect(queue?.n).toBe(0);
    } finally {
      await caller.close();
    }
  });

  it('records a timeout and a refused connection as pg_net does: no status, timed_out or error_msg', async () => {
    // Prepare
    const closedPort = await findFreePort();
    const caller = await startPgNetCaller({ databaseUrl: copy.url, pollIntervalMs: 50, logger: capture().logger });
    try {
      // Act
      const [stalled] = await sql<{ id: string }[]>`select net.http_get(${`${recorder.url}/stall`}, timeout_milliseconds := 300)::text as id`;
      const [refused] = await sql<{ id: string }[]>`select net.http_get(${`http://127.0.0.1:${closedPort}/`})::text as id`;
      const responses = await until('two failed responses', Date.now() + 10_000, async () => {
        const rows = await responsesOf([stalled?.id ?? '', refused?.id ?? '']);
        return rows.length === 2 ? [...rows] : undefined;
      });
      // Assert
      expect(responses[0]).toMatchObject({ status_code: null, content: null, timed_out: true, error_msg: 'Timeout of 300 ms reached' });
      expect(responses[1]).toMatchObject({ status_code: null, content: null, timed_out: false, error_msg: expect.stringMatching(/ECONNREFUSED/u) });
    } finally {
      await caller.close();
    }
  });

  it('hands each queued request to exactly one of two callers draining at once, at most a batch per round', async () => {
    // Prepare: polling is out of the way (an hour), so only the drains below take requests.
    const callers = await Promise.all([0, 1].map(() => startPgNetCaller({ databaseUrl: copy.url, pollIntervalMs: 3_600_000, batchSize: 5, logger: capture().logger })));
    // Each caller's first round ran at its start: after these drains it is over and took nothing.
    await Promise.all(callers.map((caller) => caller.drain()));
    const before = recorder.requests.length;
    await sql`select net.http_post(${`${recorder.url}/race`}, pg_catalog.jsonb_build_object('n', n)) from pg_catalog.generate_series(1, 40) as n`;
    try {
      // Act
      const taken = await Promise.all(Array.from({ length: 12 }, (_, round) => callers[round % 2]?.drain() ?? Promise.resolve(0)));
      // Assert
      expect(Math.max(...taken)).toBeLessThanOrEqual(5);
      expect(taken.reduce((sum, n) => sum + n, 0)).toBe(40);
      const bodies = recorder.requests.slice(before).map((request) => request.body);
      expect(bodies).toHaveLength(40);
      expect(new Set(bodies).size).toBe(40);
      expect(callers.reduce((sum, caller) => sum + caller.performed, 0)).toBe(40);
      await expect(sql`select net.check_worker_is_up()`).resolves.toBeDefined();
    } finally {
      await Promise.all(callers.map((caller) => caller.close()));
    }
    await expect(sql`select net.check_worker_is_up()`).rejects.toThrow(/stand-in caller is not up/u);
  });
});
