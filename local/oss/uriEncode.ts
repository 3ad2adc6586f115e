/**
 * Percent-encodes per RFC 3986 as OSS V4 wants it: only `A-Z a-z 0-9 - _ . ~` stay (and `/` when
 * `keepSlash`); everything else, `!'()*` included, becomes `%XX` of its UTF-8 bytes.
 */
export function uriEncode(value: string, keepSlash = false): string {
  const encoded = encodeURIComponent(value).replace(/[!'()*]/gu, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replace(/%2F/gu, '/') : encoded;
}
