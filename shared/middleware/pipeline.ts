// The pipeline every FC handler runs: the request and context types its middlewares share, and
// the per-middleware state each keeps under its own key.
import type { MiddlewareObj, Request } from '@middy/core';
import type { CloudEventMeta } from '../contracts';
import type { FcContext } from '../fc';
import type { Logger } from '../logging';

/** The FC context after the pipeline's middlewares ran: a JSON logger and the envelope attributes. */
export interface PipelineContext extends FcContext {
  log: Logger;
  /** The delivered envelope without `data`. */
  cloudEvent?: CloudEventMeta;
}

/** Per-middleware state lives under the middleware's own key in `request.internal`. */
export type PipelineInternal = Record<string, unknown>;

export type PipelineRequest<TEvent = unknown> = Request<TEvent, unknown, Error, PipelineContext, PipelineInternal>;
export type PipelineMiddleware = MiddlewareObj<unknown, unknown, Error, PipelineContext, PipelineInternal>;

/** What a permanent failure hands to the park callback. */
export interface ParkedFailure {
  readonly functionName: string;
  readonly requestId: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly code: string;
  readonly reason: string;
  /** The decoded event (or its text when it was not JSON), for whoever inspects the dead letter. */
  readonly event: unknown;
}

/** Stores a permanent failure with its reason (ledger rejection, dead-letter table, log). */
export type ParkFn = (failure: ParkedFailure, context: PipelineContext) => Promise<void>;

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
