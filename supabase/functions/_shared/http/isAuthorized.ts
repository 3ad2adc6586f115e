const encoder = new TextEncoder();

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value)));
}

/**
 * Whether `Authorization: Bearer <key>` carries the expected key. Both sides are hashed first so
 * the comparison runs over 32 bytes whatever the lengths, and every byte is compared.
 */
export async function isAuthorized(header: string | null, expectedKey: string): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(header ?? '');
  const presented = match?.[1] ?? '';
  const [a, b] = await Promise.all([digest(presented), digest(expectedKey)]);
  let difference = presented === '' ? 1 : 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
