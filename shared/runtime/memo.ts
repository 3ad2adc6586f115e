/**
 * A per-instance cache of one client. FC keeps an instance (and its module scope) between calls,
 * so clients are built once; `keyOf` names whatever must rebuild the client (an STS rotation
 * changes the access key id, so the key includes it, and the stale client is dropped).
 */
export function memo<A, T>(keyOf: (input: A) => string, build: (input: A) => T): (input: A) => T {
  let current: { key: string; value: T } | undefined;
  return function cached(input: A): T {
    const key = keyOf(input);
    if (current?.key !== key) current = { key, value: build(input) };
    return current.value;
  };
}
