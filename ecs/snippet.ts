// The short text a vector carries and a search hit shows: the start of the document, whitespace
// runs collapsed to one space, at most `chars` characters, never cutting a surrogate pair, with an
// ellipsis when it was cut. Postgres hands over only the start of the content
// (`left(content, snippetSourceChars(chars))`), so whether the document goes on past what was read
// is told by one character more than the snippet could use.

/** How many characters (code points) of content make a snippet of `chars`: half as much again, as whitespace runs collapse. */
function usableChars(chars: number): number {
  return Math.ceil(chars * 1.5);
}

/**
 * How much of the content the page queries read to make a snippet of `chars` (0: none): the
 * usable part plus one character, whose presence says the content was cut. Reading more costs the
 * worker's pages (every row carries it).
 */
export function snippetSourceChars(chars: number): number {
  return chars <= 0 ? 0 : usableChars(chars) + 1;
}

/**
 * The UTF-16 length of the first `points` code points of `text`, or undefined when it has no more
 * than that many (Postgres' `left` counts code points, JavaScript's length counts UTF-16 units).
 */
function lengthOfCodePoints(text: string, points: number): number | undefined {
  // At most one UTF-16 unit per code point: no longer than `points` units means no more code points.
  if (text.length <= points) return undefined;
  let end = 0;
  for (let seen = 0; seen < points && end < text.length; seen += 1) {
    const code = text.charCodeAt(end);
    end += code >= 0xd800 && code <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return end < text.length ? end : undefined;
}

/**
 * The snippet of `start`, the beginning of a document as read with
 * `left(content, snippetSourceChars(chars))` (see the file header); '' when chars is 0 or the
 * content is blank. It ends with "…" when the document goes on past it, whether the cut was made
 * here or by the read (a document whose start collapses to fewer than `chars` characters, such as
 * indented code, then gets a shorter snippet, still marked as cut).
 */
export function snippetOf(start: string, chars: number): string {
  if (chars <= 0) return '';
  const readEnd = lengthOfCodePoints(start, usableChars(chars));
  const flat = (readEnd === undefined ? start : start.slice(0, readEnd)).replace(/\s+/gu, ' ').trim();
  if (readEnd === undefined && flat.length <= chars) return flat;
  let end = Math.min(flat.length, chars - 1);
  const code = flat.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${flat.slice(0, end).trimEnd()}…`;
}
