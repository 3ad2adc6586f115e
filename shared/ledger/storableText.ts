// Text as a parked event's row can hold it: the event as text, NUL and lone surrogate halves
// replaced, so that data can never make parking itself fail.

/** How much of a parked event's text is kept (the column allows 2,000 characters). */
export const PARKED_EXCERPT_CHARS = 2000;

/** The event as text: its JSON, or the text it came as; null when there is none. */
export function eventText(event: unknown): string | null {
  if (event === null || event === undefined) return null;
  if (typeof event === 'string') return event;
  try {
    return JSON.stringify(event) ?? null;
  } catch {
    return String(event);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/**
 * Text Postgres can store: NUL (which text and jsonb refuse) becomes U+FFFD, and a surrogate half
 * left by a cut becomes U+FFFD too. Data must never make parking itself fail.
 */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** `storable`, keeping null. */
export function nullableStorable(text: string | null): string | null {
  return text === null ? null : storable(text);
}
