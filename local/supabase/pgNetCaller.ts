// pg_net's background worker, played by a Node client for the pg_net stand-in
// (local/supabase/sql/pg_net_stand_in.sql): it takes queued requests from net.http_request_queue
// with DELETE ... RETURNING, as pg_net's worker does, performs each with fetch and the request's
// own timeout, and records the outcome in net._http_response. Like pg_net, a request is taken
// before it is performed: one that a stopped caller never answered is recorded as an error, and
// one lost to a crash is gone (fire-and-forget; the project's state lives in its queues).
import postgres from 'postgres';
import type { Sql } from 'postgres';
import * as z from 'zod';
import { Logger } from '../../shared/logging';
import { LocalSupabaseError } from './errors';

/** Settings that mirror pg_net's (`pg_net.batch_size`, `pg_net.ttl`) and how often the caller polls. */
export const PgNetCallerDefaults = {
  /** What net.check_worker_is_up() looks for in pg_stat_activity. */
  applicationName: 'pg_net stand-in caller',
  /** pg_net wakes its worker from net.wake(); a client has to poll. */
  pollIntervalMs: 250,
  /** Requests taken per round (`pg_net.batch_size`). */
  batchSize: 200,
  /** Responses older than this are deleted (`pg_net.ttl`). */
  ttl: '6 hours',
} as const;

/** The caller cannot start: bad options, no queue to read, or the real pg_net owns the queue. */
export class PgNetCallerError extends LocalSupabaseError {
  override name = 'PgNetCallerError';
}

/** Settings of the caller. */
export interface PgNetCallerOptions {
  /** The database whose net.http_request_queue to serve. */
  readonly databaseUrl: string;
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  /** A PostgreSQL interval, e.g. '6 hours'. */
  readonly ttl?: string;
  readonly logger?: Logger;
}

/** A running caller. */
export interface PgNetCaller {
  /** Requests taken and answered so far (failures included). */
  readonly performed: number;
  /** Takes up to batchSize queued requests now, performs them and records each outcome; resolves to how many. */
  drain(): Promise<number>;
  /** Stops polling, aborts requests in flight (recorded as errors) and closes the connection. */
  close(): Promise<void>;
}

const OptionsSchema = z.object({
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//u, 'must be a postgres:// URL'),
  pollIntervalMs: z.number().int().min(10).default(PgNetCallerDefaults.pollIntervalMs),
  batchSize: z.number().int().min(1).max(10_000).default(PgNetCallerDefaults.batchSize),
  ttl: z.string().min(1).default(PgNetCallerDefaults.ttl),
});

/** One row taken from net.http_request_queue. */
const QueuedRequestSchema = z.object({
  id: z.string(),
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.unknown()).nullable(),
  body: z.instanceof(Uint8Array).nullable(),
  timeout_milliseconds: z.number().int(),
});
type QueuedRequest = z.infer<typeof QueuedRequestSchema>;

/** What pg_net writes into net._http_response for one request. */
interface Outcome {
  readonly statusCode: number | null;
  readonly contentType: string | null;
  readonly headers: Readonly<Record<string, string>> | null;
  readonly content: string | null;
  readonly timedOut: boolean;
  readonly errorMsg: string | null;
}

const TAKE_REQUESTS = `
  with taken as (
    select id from net.http_request_queue order by id limit $1 for update skip locked
  )
  delete from net.http_request_queue as q using taken where q.id = taken.id
  returning q.id::text as id, q.method::text as method, q.url, q.headers, q.body, q.timeout_milliseconds`;

const RECORD_RESPONSE = `
  insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
  values ($1::bigint, $2, $3, $4::jsonb, $5, $6, $7)`;

const DELETE_EXPIRED = `
  delete from net._http_response where ctid in (
    select ctid from net._http_response where created < pg_catalog.now() - $1::interval order by created limit $2
  )`;

/** jsonb_each_text's view of a header value, as pg_net sends it. */
function headerText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The URL without its query, which may carry keys, for the log. */
function loggedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparsable url)';
  }
}

/** The innermost message of a fetch failure ("fetch failed" hides ECONNREFUSED in its cause). */
function failureMessage(error: unknown): string {
  let current: unknown = error;
  let message = 'request failed';
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

async function perform(request: QueuedRequest, stop: AbortSignal): Promise<Outcome> {
  const timeout = AbortSignal.timeout(request.timeout_milliseconds);
  const failed = (errorMsg: string, timedOut = false): Outcome => ({ statusCode: null, contentType: null, headers: null, content: null, timedOut, errorMsg });
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name, headerText(value)])),
      ...(request.body === null || request.method === 'GET' ? {} : { body: request.body }),
      // curl, under pg_net, does not follow redirects unless told to.
      redirect: 'manual',
      signal: AbortSignal.any([stop, timeout]),
    });
    const content = await response.text();
    return {
      statusCode: response.status,
      contentType: response.headers.get('content-type'),
      headers: Object.fromEntries(response.headers),
      content: content === '' ? null : content,
      timedOut: false,
      errorMsg: null,
    };
  } catch (error) {
    if (timeout.aborted) return failed(`Timeout of ${request.timeout_milliseconds} ms reached`, true);
    if (stop.aborted) return failed('the pg_net stand-in caller stopped before the response came');
    return failed(failureMessage(error));
  }
}

/** Starts serving net.http_request_queue of a database that has the pg_net stand-in installed. */
export async function startPgNetCaller(options: PgNetCallerOptions): Promise<PgNetCaller> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new PgNetCallerError(`bad pg_net caller options: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const { databaseUrl, pollIntervalMs, batchSize, ttl } = parsed.data;
  const logger = options.logger ?? new Logger({ fields: { component: 'pg-net-caller' } });
  const sql: Sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined, connection: { application_name: PgNetCallerDefaults.applicationName } });
  try {
    const [state] = await sql<{ queue: string | null; pgNet: boolean }[]>`
      select pg_catalog.to_regclass('net.http_request_queue')::text as queue,
             exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net') as "pgNet"`;
    if (state?.pgNet) throw new PgNetCallerError('pg_net is installed in this database: its own worker performs the requests');
    if (!state?.queue) throw new PgNetCallerError("net.http_request_queue does not exist: install the stand-in first (installStandIn(target, 'pgNet'))");
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }

  const stop = new AbortController();
  let performed = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let rounds: Promise<unknown> = Promise.resolve();

  async function answer(request: QueuedRequest): Promise<void> {
    const started = performance.now();
    const outcome = await perform(request, stop.signal);
    await sql.unsafe(RECORD_RESPONSE, [request.id, outcome.statusCode, outcome.contentType, outcome.headers === null ? null : JSON.stringify(outcome.headers), outcome.content, outcome.timedOut, outcome.errorMsg]);
    performed += 1;
    const fields = { id: request.id, method: request.method, url: loggedUrl(request.url), durationMs: Math.round(performance.now() - started) };
    if (outcome.errorMsg === null) logger.info('request performed', { ...fields, status: outcome.statusCode });
    else logger.warn('request failed', { ...fields, timedOut: outcome.timedOut, error: outcome.errorMsg });
  }

  async function round(): Promise<number> {
    const rows = await sql.unsafe(TAKE_REQUESTS, [batchSize]);
    const requests = rows.map((row) => QueuedRequestSchema.parse(row));
    // Every answer finishes (and is recorded) before the round ends, even when one fails to record.
    const settled = await Promise.allSettled(requests.map((request) => answer(request)));
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    await sql.unsafe(DELETE_EXPIRED, [ttl, batchSize]);
    return requests.length;
  }

  /** One round at a time, so a caller never holds more than batchSize requests. */
  function drain(): Promise<number> {
    if (closed) return Promise.reject(new PgNetCallerError('the pg_net stand-in caller is closed'));
    const next = rounds.then(round);
    rounds = next.catch(() => undefined);
    return next;
  }

  function poll(): void {
    timer = undefined;
    if (closed) return;
    drain().then(
      (taken) => {
        if (!closed) timer = setTimeout(poll, taken >= batchSize ? 0 : pollIntervalMs);
      },
      (error: unknown) => {
        logger.error('polling net.http_request_queue failed', { error: failureMessage(error) });
        if (!closed) timer = setTimeout(poll, pollIntervalMs);
      },
    );
  }

  logger.info('pg_net stand-in caller started', { pollIntervalMs, batchSize, ttl });
  poll();
  let closing: Promise<void> | undefined;
  return {
    get performed() {
      return performed;
    },
    drain,
    close() {
      closing ??= (async () => {
        closed = true;
        if (timer !== undefined) clearTimeout(timer);
        stop.abort();
        await rounds;
        await sql.end({ timeout: 1 });
        logger.info('pg_net stand-in caller stopped', { performed });
      })();
      return closing;
    },
  };
}
