// From the bytes FC hands over to the handler's input: decode the Buffer as UTF-8 JSON, parse it
// with the function's envelope schema (a CloudEvent, or the timer trigger's own event), and hand
// on `{ type, data }` with the envelope attributes on `context.cloudEvent`. Every failure is a
// permanent error that names the problem.
import type * as z from 'zod';
import { EventDecodeError, EventShapeError, EventValidationError, TimerEventSchema, formatIssues, parseWith } from '../contracts';
import type { CloudEventMeta } from '../contracts';
import { bindLogFields, setState } from './pipeline';
import type { PipelineMiddleware, PipelineRequest } from './pipeline';

const KEY = 'decodeEvent';
const decoder = new TextDecoder('utf-8', { fatal: true });

function toText(event: unknown): string | undefined {
  if (typeof event === 'string') return event;
  if (event instanceof Uint8Array) {
    try {
      return decoder.decode(event);
    } catch (cause) {
      throw new EventDecodeError('event is not valid UTF-8 text', { cause });
    }
  }
  return undefined;
}

/** The raw event as decoded, kept for parking. */
export function decodedEventOf(request: PipelineRequest): unknown {
  return (request.internal[KEY] as { raw: unknown } | undefined)?.raw ?? request.event;
}

/**
 * FC hands the event over as a Buffer: decode it as UTF-8 and parse it as JSON. An already parsed
 * value (a local caller) passes through. Bad bytes are a permanent EventDecodeError.
 */
export function decodeEvent(): PipelineMiddleware {
  function decodeEventBefore(request: PipelineRequest): void {
    const text = toText(request.event);
    if (text === undefined) {
      setState(request, KEY, { raw: request.event });
      return;
    }
    setState(request, KEY, { raw: text });
    if (text.trim() === '') throw new EventDecodeError('event is empty: expected a JSON CloudEvent');
    try {
      request.event = JSON.parse(text) as unknown;
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new EventDecodeError(`event is not valid JSON: ${detail}`, { cause });
    }
    setState(request, KEY, { raw: request.event });
  }

  return { before: decodeEventBefore };
}

type EnvelopeOutput = CloudEventMeta & { data: unknown };

/** What a handler receives from an envelope schema (or a union of them): the type and the data. */
export type EventInput<T> = T extends { readonly type: infer K; readonly data: infer D } ? { readonly type: K; readonly data: D } : never;

function runIdOf(data: unknown): string | undefined {
  const runId = typeof data === 'object' && data !== null ? (data as { runId?: unknown }).runId : undefined;
  return typeof runId === 'string' ? runId : undefined;
}

/**
 * Parses the decoded event with an envelope schema (one event type, or a union made with
 * `eventUnion`) and hands on `{ type, data }`; the envelope attributes go to
 * `context.cloudEvent`. A failure is a permanent EventValidationError naming each bad field.
 */
export function parseEvent<TSchema extends z.ZodType<EnvelopeOutput>>(options: { readonly schema: TSchema }): PipelineMiddleware {
  function parseEventBefore(request: PipelineRequest): void {
    const { event } = request;
    if (Array.isArray(event)) {
      throw new EventShapeError(
        `expected one CloudEvent object but got a JSON array of ${event.length} event(s), the event-streaming batch shape`,
      );
    }
    if (event === null || typeof event !== 'object') {
      throw new EventShapeError(`expected one CloudEvent object but got ${event === null ? 'null' : typeof event}`);
    }
    const result = options.schema.safeParse(event);
    if (!result.success) throw new EventValidationError(formatIssues(result.error, event), { cause: result.error });
    const { data, ...meta } = result.data;
    request.context.cloudEvent = meta;
    request.event = { type: meta.type, data };
    bindLogFields(request, { eventId: meta.id, eventType: meta.type, runId: runIdOf(data) });
  }

  return { before: parseEventBefore };
}

/**
 * The timer trigger's event is not a CloudEvent: it is parsed as a TimerEvent instead (a bad one
 * is a permanent EventValidationError naming the field).
 */
export function parseTimerEvent(): PipelineMiddleware {
  function parseTimerEventBefore(request: PipelineRequest): void {
    const timer = parseWith(TimerEventSchema, request.event);
    request.event = timer;
    bindLogFields(request, { triggerName: timer.triggerName, triggerTime: timer.triggerTime });
  }

  return { before: parseTimerEventBefore };
}
