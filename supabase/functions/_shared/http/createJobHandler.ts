import { describeError, EdgeFunctionError } from '../errors.ts';
import type { JobAnswer, Logger } from '../types.ts';
import { createLogger } from './createLogger.ts';
import { isAuthorized } from './isAuthorized.ts';
import { jsonResponse } from './jsonResponse.ts';

/** What a job function needs to build a handler. */
export interface JobHandlerOptions<C extends { VECTOR_SYNC_FUNCTION_KEY: string }> {
  readonly name: string;
  /** Reads the settings; called once, on the first request (a failure is answered, not thrown at boot). */
  readonly loadConfig: () => C;
  readonly run: (config: C, log: Logger) => Promise<JobAnswer>;
  readonly write?: (line: string) => void;
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
      log.error('run failed', { status, error: describeError(error), durationMs: Date.now() - started });
      return jsonResponse(status, { error: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error), ...extra, requestId }, headers);
    }
  };
}
