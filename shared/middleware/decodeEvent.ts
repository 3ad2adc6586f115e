import { EventDecodeError } from '../contracts';
import type { PipelineMiddleware, PipelineRequest } from './types';
import { setState } from './state';

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
