import type { PipelineRequest } from './types';

/** Reads a middleware's own state from `request.internal`. */
export function getState<T>(request: PipelineRequest, key: string): T | undefined {
  return request.internal[key] as T | undefined;
}

/** Writes a middleware's own state under its key in `request.internal`. */
export function setState<T>(request: PipelineRequest, key: string, value: T): void {
  request.internal[key] = value;
}

/** Binds more fields (event id, run id) to the invocation's logger, if the logger middleware ran. */
export function bindLogFields(request: PipelineRequest, fields: Readonly<Record<string, unknown>>): void {
  const log = (request.context as Partial<PipelineRequest['context']>).log;
  if (log) request.context.log = log.child(fields);
}
