// Splits a document into passages an embedding model can read whole: at most `maxChars`
// characters each, neighbours sharing about `overlapChars`, broken at a paragraph end if one is
// near, else a sentence end, else a space, and only as a last resort inside a word. A document
// that fits is one passage, its text unchanged. Imports nothing, so Deno and Node share it.

/** How passages are cut, in characters (see `passageSettings` for the token figures). */
export interface SplitSettings {
  /** Longest passage, in UTF-16 code units. */
  readonly maxChars: number;
  /** How much of the end of a passage the next one repeats. */
  readonly overlapChars: number;
}

/** One passage: its number (from 0), where it sits in the document, and its text. */
export interface Passage {
  readonly no: number;
  /** Offsets into the document, `text === document.slice(start, end)`. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Characters per token for the token settings: about 4 for English and other Latin-script text
 * with gte-small's or OpenAI's tokenizers; CJK text runs nearer 1, so set a lower ratio there.
 */
export const DEFAULT_CHARS_PER_TOKEN = 4;

/** Passage settings from token figures: `tokens` and `overlapTokens` times `charsPerToken`. */
export function passageSettings(tokens: number, overlapTokens: number, charsPerToken = DEFAULT_CHARS_PER_TOKEN): SplitSettings {
  if (!Number.isInteger(tokens) || tokens < 16) throw new RangeError(`passage tokens must be a whole number of at least 16, got ${tokens}`);
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens * 2 > tokens) throw new RangeError(`overlap tokens must be a whole number from 0 to half the passage, got ${overlapTokens}`);
  if (!(charsPerToken > 0 && charsPerToken <= 16)) throw new RangeError(`characters per token must be above 0 and at most 16, got ${charsPerToken}`);
  return { maxChars: Math.floor(tokens * charsPerToken), overlapChars: Math.floor(overlapTokens * charsPerToken) };
}

// Break candidates, best first. Each pattern matches the gap after which a passage may end.
const PARAGRAPH_END = /\n[ \t]*\n\s*/gu;
const SENTENCE_END = /[.!?。！？][)"'’”\]]*\s+/gu;
const SPACE = /\s+/gu;

/** True between the halves of a surrogate pair, where a cut would split one character. */
function insidePair(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** How far past a window's end a break's match may be read (a whitespace run crossing the end). */
const LOOK_PAST = 1024;

/**
 * The last match end of `pattern` in `(from, to]`, or -1. The search reads only the window (and
 * LOOK_PAST after it), so cutting a long document costs its length, not its length squared.
 */
function lastBreak(text: string, pattern: RegExp, from: number, to: number): number {
  const window = text.slice(from, Math.min(text.length, to + LOOK_PAST));
  let found = -1;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(window); match && match.index + from < to; match = pattern.exec(window)) {
    const end = from + match.index + match[0].length;
    if (end > from && end <= to) found = end;
    if (match[0].length === 0) pattern.lastIndex += 1;
  }
  return found;
}

/**
 * Where the passage starting at `start` ends: the window's end if the document ends within it,
 * else the best break in its second half (paragraph, then sentence, then space), else the window's
 * end moved off a surrogate pair.
 */
function passageEnd(text: string, start: number, settings: SplitSettings): number {
  const limit = start + settings.maxChars;
  if (limit >= text.length) return text.length;
  const earliest = start + Math.floor(settings.maxChars / 2);
  for (const pattern of [PARAGRAPH_END, SENTENCE_END, SPACE]) {
    const at = lastBreak(text, pattern, earliest, limit);
    if (at > start) return at;
  }
  return insidePair(text, limit) ? limit - 1 : limit;
}

/**
 * Where the next passage starts: `overlapChars` before `end`, moved forward to the start of a word
 * (or a sentence, when one starts within the overlap), and always past `start` so splitting ends.
 */
function nextStart(text: string, start: number, end: number, settings: SplitSettings): number {
  if (settings.overlapChars === 0) return end;
  const from = Math.max(start + 1, end - settings.overlapChars);
  const sentence = lastBreak(text, SENTENCE_END, from - 1, end - 1);
  if (sentence > from && sentence < end) return sentence;
  // Read up to `end` only: a space found there gives a start at most `end`, as the cap below does.
  SPACE.lastIndex = 0;
  const space = SPACE.exec(text.slice(from - 1, end));
  const word = space ? from - 1 + space.index + space[0].length : end;
  return Math.min(Math.max(word, from), end);
}

/**
 * Cuts `text` into passages (see the file header). Empty or blank text has no passages. The cut
 * depends only on the text and the settings, so an unchanged document gives the same passages.
 */
export function splitPassages(text: string, settings: SplitSettings): Passage[] {
  if (!Number.isInteger(settings.maxChars) || settings.maxChars < 16) throw new RangeError(`maxChars must be a whole number of at least 16, got ${settings.maxChars}`);
  if (!Number.isInteger(settings.overlapChars) || settings.overlapChars < 0 || settings.overlapChars * 2 > settings.maxChars) throw new RangeError(`overlapChars must be a whole number from 0 to half of maxChars, got ${settings.overlapChars}`);
  if (!/\S/u.test(text)) return [];
  const passages: Passage[] = [];
  let start = 0;
  for (;;) {
    const end = passageEnd(text, start, settings);
    passages.push({ no: passages.length, start, end, text: text.slice(start, end) });
    if (end >= text.length) return passages;
    start = nextStart(text, start, end, settings);
  }
}

/** The code points of `text` before each of `offsets` (UTF-16 offsets, in increasing order). */
function codePointsBefore(text: string, offsets: readonly number[]): number[] {
  const counts: number[] = [];
  let unit = 0;
  let points = 0;
  for (const offset of offsets) {
    while (unit < offset) {
      const code = text.charCodeAt(unit);
      const pair = code >= 0xd800 && code <= 0xdbff && unit + 1 < offset && (text.charCodeAt(unit + 1) & 0xfc00) === 0xdc00;
      unit += pair ? 2 : 1;
      points += 1;
    }
    counts.push(points);
  }
  return counts;
}

/**
 * Where each passage sits in code points, as Postgres counts characters (`substr(content,
 * start + 1, chars)` gives its text back): JavaScript offsets count UTF-16 units, which differ
 * once a character lies outside the Basic Multilingual Plane. Starts and ends each increase.
 */
export function codePointSpans(text: string, passages: readonly Passage[]): { start: number; chars: number }[] {
  const starts = codePointsBefore(text, passages.map((passage) => passage.start));
  const ends = codePointsBefore(text, passages.map((passage) => passage.end));
  return passages.map((_, index) => ({ start: starts[index] ?? 0, chars: (ends[index] ?? 0) - (starts[index] ?? 0) }));
}
