/** Limits of one PutEvents call. */
export interface CallLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** Default: 16 events and 256 KB per call (the stricter documented figures). */
export const DEFAULT_CALL_LIMITS: CallLimits = { maxEvents: 16, maxBytes: 256 * 1024 };

/** Groups sized items into calls within both limits (JSON array brackets and commas counted); order kept. */
export function packCalls<T extends { readonly bytes: number }>(items: readonly T[], limits: CallLimits = DEFAULT_CALL_LIMITS): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const item of items) {
    const added = item.bytes + (current.length === 0 ? 0 : 1);
    if (current.length > 0 && (current.length >= limits.maxEvents || size + added > limits.maxBytes)) {
      calls.push(current);
      current = [];
      size = 2;
    }
    size += item.bytes + (current.length === 0 ? 0 : 1);
    current.push(item);
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
