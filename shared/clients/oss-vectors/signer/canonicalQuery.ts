/**
 * The canonical query: the query string as sent (already encoded), parameters sorted by key and
 * joined with `&`; a value-less subresource stays a bare key.
 */
export function canonicalQuery(rawQuery: string): string {
  const text = rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery;
  if (text === '') return '';
  const params = text.split('&').filter((part) => part !== '');
  const keyOf = (part: string): string => (part.includes('=') ? part.slice(0, part.indexOf('=')) : part);
  return params.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a < b ? -1 : a > b ? 1 : 0)).join('&');
}
