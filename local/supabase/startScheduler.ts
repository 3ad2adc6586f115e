import type { Sql } from 'postgres';
import * as z from 'zod';
import { Logger } from '../../shared/logging';
import { LocalSupabaseDefaults } from './constants';
import { SchedulerError } from './errors';
import { nextCronTime, parseSchedule } from './parseSchedule';
import type { DatabaseClient } from './startPostgres';
import type { Schedule } from './parseSchedule';

/** How the scheduler talks to the database: rows of a query, or a command (may hold several statements). */
interface SqlRunner {
  query(text: string): Promise<readonly Record<string, unknown>[]>;
  execute(text: string): Promise<void>;
}

/** One row of `vector_sync.schedules`, parsed. */
export interface ScheduledJob {
  readonly name: string;
  readonly schedule: Schedule;
  /** Exactly one of functionName / command is set. */
  readonly functionName: string | null;
  readonly command: string | null;
}

/** The outcome of one run of a job. */
export interface JobRun {
  readonly job: string;
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly startedAt: Date;
  readonly durationMs: number;
  /** HTTP status of a function job. */
  readonly httpStatus?: number;
  readonly error?: string;
}

/** Where the scheduler runs its SQL: the local database's client, or a postgres.js client (e.g. over the socket). */
export type SchedulerDatabase = { readonly db: DatabaseClient } | { readonly sql: Sql };

/** A SqlRunner over either client. */
function toSqlRunner(database: SchedulerDatabase): SqlRunner {
  if ('db' in database) {
    const { db } = database;
    return {
      query: async (text) => (await db.query<Record<string, unknown>>(text)).rows,
      execute: async (text) => {
        await db.exec(text);
      },
    };
  }
  const { sql } = database;
  return {
    query: async (text) => [...(await sql.unsafe<Record<string, unknown>[]>(text))],
    execute: async (text) => {
      // The simple protocol allows several statements in one command, as pg_cron does.
      await sql.unsafe(text).simple();
    },
  };
}

/** The table that lists the periodic jobs (pg_cron on Supabase, the local scheduler here). */
const SCHEDULES_TABLE = 'vector_sync.schedules';

const ScheduleRowSchema = z
  .object({
    name: z.string().min(1),
    schedule: z.string().min(1),
    function_name: z.string().min(1).nullable(),
    command: z.string().min(1).nullable(),
  })
  .refine((row) => (row.function_name === null) !== (row.command === null), { message: 'exactly one of function_name and command must be set' });

/** Reads and parses every row of `vector_sync.schedules`; fails clearly when the table is missing or a row is bad. */
async function loadSchedules(sql: SqlRunner): Promise<ScheduledJob[]> {
  const [found] = await sql.query(`select to_regclass('${SCHEDULES_TABLE}')::text as name`);
  if (!found || found.name === null) throw new SchedulerError(`${SCHEDULES_TABLE} does not exist: apply the migration that creates it before starting the scheduler`);
  const rows = await sql.query(`select name, schedule, function_name, command from ${SCHEDULES_TABLE} order by name`);
  return rows.map((raw) => {
    const parsed = ScheduleRowSchema.safeParse(raw);
    if (!parsed.success) throw new SchedulerError(`bad row in ${SCHEDULES_TABLE} (${JSON.stringify(raw)}): ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
    const row = parsed.data;
    try {
      return { name: row.name, schedule: parseSchedule(row.schedule), functionName: row.function_name, command: row.command };
    } catch (error) {
      throw new SchedulerError(`job ${row.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
}

/** Settings of the local scheduler (pg_cron's stand-in). */
export type SchedulerOptions = SchedulerDatabase & {
  /** Edge gateway base URL, e.g. `http://127.0.0.1:54321`. */
  readonly gatewayUrl: string;
  /** Sent as `Authorization: Bearer <functionKey>` to function jobs. */
  readonly functionKey: string;
  /** Schedule only these jobs; default every row. */
  readonly jobs?: readonly string[];
  /** Multiplies interval schedules (e.g. 0.01 turns '10 seconds' into 100 ms); cron ones keep the clock. */
  readonly timeScale?: number;
  /** Period in ms replacing the schedule, for every job or by job name (cron jobs too). */
  readonly intervalOverrideMs?: number | Readonly<Record<string, number>>;
  /** How long a function call may take before it counts as failed; default 150 s. */
  readonly jobTimeoutMs?: number;
  readonly logger?: Logger;
};

/** A running scheduler. */
export interface Scheduler {
  readonly jobs: readonly ScheduledJob[];
  /** Every run so far (the latest 1000), oldest first, skipped ticks included. */
  readonly runs: readonly JobRun[];
  /** Runs a job now; answers `skipped` when its previous run is still going. */
  runNow(name: string): Promise<JobRun>;
  /** Stops the timers, aborts function calls in flight and waits for running jobs. */
  close(): Promise<void>;
}

const MAX_RUNS = 1000;
const ERROR_BODY_CHARS = 300;

function periodMs(job: ScheduledJob, options: SchedulerOptions): number | undefined {
  const override = options.intervalOverrideMs;
  const chosen = typeof override === 'number' ? override : override?.[job.name];
  if (chosen !== undefined) return chosen;
  return job.schedule.kind === 'interval' ? job.schedule.seconds * 1000 * (options.timeScale ?? 1) : undefined;
}

/**
 * Runs the jobs of `vector_sync.schedules` as pg_cron does on Supabase: function jobs POST `{}` to
 * the edge gateway, command jobs run their SQL. A job never overlaps itself: a tick that finds the
 * previous run still going is skipped. Each run is logged as one JSON line.
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const sql: SqlRunner = toSqlRunner(options);
  const logger = options.logger ?? new Logger({ fields: { component: 'local-scheduler' } });
  const all = await loadSchedules(sql);
  const unknown = (options.jobs ?? []).filter((name) => !all.some((job) => job.name === name));
  if (unknown.length > 0) throw new SchedulerError(`no such job in vector_sync.schedules: ${unknown.join(', ')}`);
  const jobs = options.jobs === undefined ? all : all.filter((job) => options.jobs?.includes(job.name));
  const runs: JobRun[] = [];
  const inFlight = new Map<string, Promise<JobRun>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const abort = new AbortController();
  let closed = false;

  function record(job: ScheduledJob, run: JobRun): JobRun {
    runs.push(run);
    if (runs.length > MAX_RUNS) runs.shift();
    const fields = { job: run.job, kind: job.functionName === null ? 'command' : 'function', status: run.status, durationMs: run.durationMs, ...(run.httpStatus === undefined ? {} : { httpStatus: run.httpStatus }), ...(run.error === undefined ? {} : { error: run.error }) };
    if (run.status === 'failed') logger.error('scheduled job failed', fields);
    else if (run.status === 'skipped') logger.warn('scheduled job skipped: previous run still going', fields);
    else logger.info('scheduled job ran', fields);
    return run;
  }

  async function perform(job: ScheduledJob): Promise<Pick<JobRun, 'status' | 'httpStatus' | 'error'>> {
    if (job.command !== null) {
      await sql.execute(job.command);
      return { status: 'succeeded' };
    }
    const response = await fetch(`${options.gatewayUrl}${LocalSupabaseDefaults.functionsPath}${job.functionName ?? ''}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.functionKey}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(options.jobTimeoutMs ?? LocalSupabaseDefaults.jobTimeoutMs)]),
    });
    const text = await response.text();
    if (response.ok) return { status: 'succeeded', httpStatus: response.status };
    return { status: 'failed', httpStatus: response.status, error: `HTTP ${response.status}: ${text.slice(0, ERROR_BODY_CHARS)}` };
  }

  function run(job: ScheduledJob): Promise<JobRun> {
    const startedAt = new Date();
    if (inFlight.has(job.name)) return Promise.resolve(record(job, { job: job.name, status: 'skipped', startedAt, durationMs: 0 }));
    const started = performance.now();
    const running = (async (): Promise<JobRun> => {
      try {
        const outcome = await perform(job);
        return record(job, { job: job.name, startedAt, durationMs: Math.round(performance.now() - started), ...outcome });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return record(job, { job: job.name, status: 'failed', startedAt, durationMs: Math.round(performance.now() - started), error: message });
      } finally {
        inFlight.delete(job.name);
      }
    })();
    inFlight.set(job.name, running);
    return running;
  }

  function plan(job: ScheduledJob): void {
    if (closed) return;
    const period = periodMs(job, options);
    let at: number;
    if (period !== undefined) at = Date.now() + period;
    else if (job.schedule.kind === 'cron') {
      const next = nextCronTime(job.schedule, new Date());
      if (!next) {
        logger.warn('scheduled job never runs: its cron expression matches no date', { job: job.name, schedule: job.schedule.text });
        return;
      }
      at = next.getTime();
    } else return;
    timers.set(
      job.name,
      setTimeout(() => {
        // Plan the next tick before running, so a slow run is skipped over rather than delaying the rate.
        plan(job);
        void run(job);
      }, Math.max(0, at - Date.now())),
    );
  }

  for (const job of jobs) plan(job);
  return {
    jobs,
    runs,
    runNow(name) {
      const job = jobs.find((candidate) => candidate.name === name);
      if (!job) return Promise.reject(new SchedulerError(`no such scheduled job: ${name}`));
      return run(job);
    },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      abort.abort(new SchedulerError('scheduler closed'));
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
