// The request pipeline both functions share: request id, JSON-lines logger, settings, bearer-key
// check, one run at a time per instance, JSON answer.
import { EdgeFunctionError, errorText } from './errors.ts';

/** One JSON log line's fields. */
export type LogFields = Readonly<Record<string, unknown>>;

/** JSON-lines logger bound to one request. */
export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** An answer of a function: HTTP status and JSON body. */
export interface JobAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What a job function needs to build a handler. */
export interface JobHandlerOptions<C extends { VECTOR_SYNC_FUNCTION_KEY: string }> {
  readonly name: string;
  /** Reads the settings; called once, on the first request (a failure is answered, not thrown at boot). */
  readonly loadConfig: () => C;
  readonly run: (config: C, log: Logger) => Promise<JobAnswer>;
  readonly write?: (line: string) => void;
}

const encoder = new TextEncoder();

/** A JSON-lines logger: one object per line with time, level, function, request id and fields. */
export function createLogger(fn: string, requestId: string, write: (line: string) => void = console.log): Logger {
  const emit = (level: string, event: string, fields: LogFields = {}): void => {
    write(JSON.stringify({ time: new Date().toISOString(), level, fn, requestId, event, ...fields }));
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

/**
 * Whether `Authorization: Bearer <key>` carries the expected key. Both sides are hashed first so
 * the comparison runs over 32 bytes whatever the lengths, and every byte is compared.
 */
export async function isAuthorized(header: string | null, expectedKey: string): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(header ?? '');
  const presented = match?.[1] ?? '';
  const [a, b] = await Promise.all([digest(presented), digest(expectedKey)]);
  let difference = presented === '' ? 1 : 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** A JSON answer; bigint values become numbers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const json = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  return new Response(json, { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * The request pipeline both functions share: request id, settings, bearer-key check (401 JSON),
 * one run, JSON answer with the status the run chose; an error becomes its status (500/503) with
 * a message, never a success.
 */
export function createJobHandler<C extends { VECTOR_SYNC_FUNCTION_KEY: string }>(options: JobHandlerOptions<C>): (request: Request) => Promise<Response> {
  let config: C | undefined;
  let running = false;
  return async function handle(request: Request): Promise<Response> {
    const requestId = request.headers.get('x-request-id') ?? crypto.randomUUID();
    const log = createLogger(options.name, requestId, options.write);
    const headers = { 'x-request-id': requestId };
    const started = Date.now();
    try {
      config ??= options.loadConfig();
      if (!(await isAuthorized(request.headers.get('authorization'), config.VECTOR_SYNC_FUNCTION_KEY))) {
        log.warn('unauthorized', { method: request.method });
        return jsonResponse(401, { error: 'unauthorized', message: 'missing or invalid Authorization bearer key', requestId }, headers);
      }
      if (request.method !== 'POST') return jsonResponse(405, { error: 'method_not_allowed', message: 'use POST', requestId }, { ...headers, allow: 'POST' });
      // Overlapping calls of one instance would only compete for the same messages.
      if (running) return jsonResponse(409, { error: 'busy', message: 'a run is already in progress in this instance', requestId }, headers);
      running = true;
      try {
        const answer = await options.run(config, log);
        log.info('run finished', { status: answer.status, ...answer.body });
        return jsonResponse(answer.status, { ...answer.body, requestId }, headers);
      } finally {
        running = false;
      }
    } catch (error) {
      const status = error instanceof EdgeFunctionError ? error.status : 500;
      const extra = error instanceof EdgeFunctionError && 'counts' in error ? { counts: (error as { counts: unknown }).counts } : {};
      log.error('run failed', { status, error: errorText(error), durationMs: Date.now() - started });
      return jsonResponse(status, { error: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error), ...extra, requestId }, headers);
    }
  };
}
