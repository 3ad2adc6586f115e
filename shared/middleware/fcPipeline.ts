import type * as z from 'zod';
import type { CloudEventMeta } from '../contracts';
import type { IdempotencyStore } from '../idempotency';
import type { LogLevel, LogSink } from '../logging';
import { classifyErrors } from './classifyErrors';
import { decodeEvent } from './decodeEvent';
import { idempotency } from './idempotency';
import { jsonLogger } from './jsonLogger';
import { parseEvent } from './parseEvent';
import type { ParkFn, PipelineMiddleware } from './types';

export interface FcPipelineOptions<TSchema extends z.ZodType<CloudEventMeta & { data: unknown }>> {
  readonly schema: TSchema;
  readonly mode?: 'single' | 'batch';
  readonly park: ParkFn;
  /** Omit for handlers whose effects are idempotent by themselves (e.g. timers). */
  readonly idempotencyStore?: IdempotencyStore;
  readonly level?: LogLevel;
  readonly sink?: LogSink;
}

/**
 * The standard middleware stack of an FC handler, in order: logger, decode, parse, error
 * classification, idempotency. (onError runs in reverse: a claim is released before parking.)
 */
export function fcPipeline<TSchema extends z.ZodType<CloudEventMeta & { data: unknown }>>(
  options: FcPipelineOptions<TSchema>,
): PipelineMiddleware[] {
  const stack: PipelineMiddleware[] = [
    jsonLogger({ ...(options.level ? { level: options.level } : {}), ...(options.sink ? { sink: options.sink } : {}) }),
    decodeEvent(),
    parseEvent({ schema: options.schema, ...(options.mode ? { mode: options.mode } : {}) }),
    classifyErrors({ park: options.park }),
  ];
  if (options.idempotencyStore) stack.push(idempotency({ store: options.idempotencyStore }));
  return stack;
}
