import { classifyError, describeError } from '../errors';
import { Logger, LogLevels } from '../logging';
import type { LogLevel, LogSink } from '../logging';
import type { PipelineMiddleware, PipelineRequest } from './pipeline';
import { getState, setState } from './pipeline';

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  readonly sink?: LogSink;
}

const KEY = 'jsonLogger';

/**
 * The level from `LOG_LEVEL` (s.yaml sets it per function), read when the instance starts; the
 * logger exists before the function's config is parsed, so an unknown value falls back to info
 * here and the config check reports it.
 */
export function levelFromEnvironment(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.LOG_LEVEL?.trim().toLowerCase() ?? '';
  return value in LogLevels ? (value as LogLevel) : 'info';
}

/** Puts a JSON-lines logger bound to requestId and function name on `context.log`; logs start and end. */
export function jsonLogger(options: JsonLoggerOptions = {}): PipelineMiddleware {
  const level = options.level ?? levelFromEnvironment();

  function jsonLoggerBefore(request: PipelineRequest): void {
    const { context } = request;
    context.log = new Logger({
      level,
      ...(options.sink ? { sink: options.sink } : {}),
      fields: { requestId: context.requestId, function: context.function?.name },
    });
    setState(request, KEY, { startedAt: performance.now() });
    context.log.debug('invocation started');
  }

  function elapsed(request: PipelineRequest): number {
    const state = getState<{ startedAt: number }>(request, KEY);
    return state ? Math.round(performance.now() - state.startedAt) : 0;
  }

  function jsonLoggerAfter(request: PipelineRequest): void {
    request.context.log.info('invocation succeeded', { durationMs: elapsed(request) });
  }

  function jsonLoggerOnError(request: PipelineRequest): void {
    const log = request.context.log ?? new Logger({ level, fields: { requestId: request.context.requestId } });
    log.error('invocation failed', {
      durationMs: elapsed(request),
      kind: classifyError(request.error),
      error: describeError(request.error),
    });
  }

  return { before: jsonLoggerBefore, after: jsonLoggerAfter, onError: jsonLoggerOnError };
}
