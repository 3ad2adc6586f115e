/** Replaces every occurrence of `secret` in `text`, so a server that echoes the key cannot leak it. */
export function scrubSecret(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}
