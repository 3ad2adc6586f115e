// The short text a vector carries and a search hit shows: the start of the document, whitespace
// runs collapsed to one space, at most `chars` characters, never cutting a surrogate pair, with an
// ellipsis when it was cut.

/**
 * How much of the content the page queries read to make a snippet of `chars`: half as much again,
 * as runs of whitespace collapse. Reading more costs the worker's pages (every row carries it).
 */
export function snippetSourceChars(chars: number): number {
  return Math.ceil(chars * 1.5);
}

/** The snippet of `content` (see the file header); '' when chars is 0 or the content is blank. */
export function snippetOf(content: string, chars: number): string {
  if (chars <= 0) return '';
  const flat = content.replace(/\s+/gu, ' ').trim();
  if (flat.length <= chars) return flat;
  let end = chars - 1;
  const code = flat.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${flat.slice(0, end).trimEnd()}…`;
}
