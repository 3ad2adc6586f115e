// The one way an FC handler is built: the standard middleware stack around the handler's work,
// its config parsed once from the environment, the instance's ledger, and permanent failures
// parked in the ledger. A handler file is then its schema, its config and its call.
import middy from '@middy/core';
import type { MiddyfiedHandler } from '@middy/core';
import type * as z from 'zod';
import { configGetter, LedgerConfigSchema } from '../config';
import { isUuid } from '../contracts';
import type { CloudEventMeta, TimerEvent } from '../contracts';
import { ledgerFor } from '../ledger';
import type { Ledger } from '../ledger';
import type { Logger, LogLevel, LogSink } from '../logging';
import { checkRoute } from './checkRoute';
import { classifyErrors } from './classifyErrors';
import { jsonLogger } from './jsonLogger';
import { decodeEvent, parseEvent, parseTimerEvent } from './parseEvent';
import type { EventInput } from './parseEvent';
import type { ParkFn, PipelineContext, PipelineMiddleware } from './pipeline';

type EnvelopeSchema = z.ZodType<CloudEventMeta & { data: unknown }>;
type ConfigSchema = z.ZodType<{ SUPABASE_DB_URL: string }>;

/** Options of the standard middleware stack. */
export interface FcPipelineOptions {
  readonly schema: EnvelopeSchema;
  /** The function's name: its routes say which bus each event type must come on (none: no check). */
  readonly functionName?: string;
  readonly park: ParkFn;
  readonly level?: LogLevel;
  readonly sink?: LogSink;
}

/**
 * The standard middleware stack of an FC handler, in order: logger, decode, parse, the route
 * check (each type only from its route's bus), error classification (onError runs in reverse, so
 * a failure is classified before it is logged).
 */
export function fcPipeline(options: FcPipelineOptions): PipelineMiddleware[] {
  return [
    jsonLogger({ ...(options.level ? { level: options.level } : {}), ...(options.sink ? { sink: options.sink } : {}) }),
    decodeEvent(),
    parseEvent({ schema: options.schema }),
    ...(options.functionName ? [checkRoute({ functionName: options.functionName })] : []),
    classifyErrors({ park: options.park }),
  ];
}

/** What a handler's work gets besides its event. */
export interface HandlerTools<TConfig> {
  /** The function's settings, checked once per instance. */
  readonly config: TConfig;
  /** The instance's ledger (one small pool per instance). */
  readonly ledger: Ledger;
  /** The invocation's JSON logger, bound to the request, event and run ids. */
  readonly log: Logger;
  /** The FC context: the function role's credentials, region and names. */
  readonly context: PipelineContext;
}

/** The run an event is about, when its data names one. */
function runIdOf(event: unknown): string | null {
  const data = typeof event === 'object' && event !== null ? (event as { data?: unknown }).data : undefined;
  const runId = typeof data === 'object' && data !== null ? (data as { runId?: unknown }).runId : undefined;
  return typeof runId === 'string' && isUuid(runId) ? runId : null;
}

/**
 * Parks a permanent failure in `vector_sync.parked_events`, where the dashboard and the run's report
 * show it. It needs only SUPABASE_DB_URL, so an event refused because another setting is bad is
 * still parked. When the ledger is unreachable the error propagates and classifyErrors turns it
 * into a transient failure, so EventBridge retries rather than losing it.
 */
export function parkInLedger(name: string): ParkFn {
  const settings = configGetter(name, LedgerConfigSchema);
  return async function park(failure) {
    await ledgerFor(settings().SUPABASE_DB_URL).parkEvent({
      functionName: failure.functionName,
      eventId: failure.eventId ?? null,
      eventType: failure.eventType ?? null,
      runId: runIdOf(failure.event),
      code: failure.code,
      reason: failure.reason,
      event: failure.event ?? null,
    });
  };
}

function withTools<TInput, TConfig extends ConfigSchema, TResult>(
  name: string,
  config: TConfig,
  work: (input: TInput, tools: HandlerTools<z.output<TConfig>>) => Promise<TResult>,
): (input: TInput, context: PipelineContext) => Promise<TResult> {
  const settings = configGetter(name, config);
  return async function handle(input, context) {
    const parsed = settings();
    return work(input, { config: parsed, ledger: ledgerFor(parsed.SUPABASE_DB_URL), log: context.log, context });
  };
}

/** An FC handler for CloudEvents delivered by an EventBridge rule (one type, or a union of them). */
export function fcHandler<TEvent extends EnvelopeSchema, TConfig extends ConfigSchema, TResult>(
  spec: { readonly name: string; readonly event: TEvent; readonly config: TConfig },
  work: (event: EventInput<z.output<TEvent>>, tools: HandlerTools<z.output<TConfig>>) => Promise<TResult>,
): MiddyfiedHandler<unknown, unknown, Error, PipelineContext> {
  return middy(withTools(spec.name, spec.config, work)).use(fcPipeline({ schema: spec.event, functionName: spec.name, park: parkInLedger(spec.name) }));
}

/** An FC handler for a timer trigger: its event is a TimerEvent, not a CloudEvent. */
export function fcTimerHandler<TConfig extends ConfigSchema, TResult>(
  spec: { readonly name: string; readonly config: TConfig },
  work: (timer: TimerEvent, tools: HandlerTools<z.output<TConfig>>) => Promise<TResult>,
): MiddyfiedHandler<unknown, unknown, Error, PipelineContext> {
  return middy(withTools(spec.name, spec.config, work)).use([jsonLogger(), decodeEvent(), parseTimerEvent(), classifyErrors({ park: parkInLedger(spec.name) })]);
}

/** True when the invocation is a timer trigger's: its JSON names the trigger and is no CloudEvent. */
function isTimerInvocation(event: unknown): boolean {
  let value = event;
  if (event instanceof Uint8Array || typeof event === 'string') {
    try {
      value = JSON.parse(typeof event === 'string' ? event : Buffer.from(event).toString('utf8')) as unknown;
    } catch {
      // Not JSON: the event handler's stack says why and parks it.
      return false;
    }
  }
  return typeof value === 'object' && value !== null && 'triggerName' in value && !('specversion' in value);
}

/**
 * The entry point of a function with a timer trigger besides its EventBridge deliveries (both
 * arrive at the one FC handler): each invocation goes to the stack built for its kind.
 */
export function fcEventOrTimerHandler(handlers: {
  readonly event: MiddyfiedHandler<unknown, unknown, Error, PipelineContext>;
  readonly timer: MiddyfiedHandler<unknown, unknown, Error, PipelineContext>;
}): (event: unknown, context: PipelineContext) => Promise<unknown> {
  return function route(event, context) {
    return (isTimerInvocation(event) ? handlers.timer : handlers.event)(event, context);
  };
}
