import { PutEventsLimits } from './constants';

/** Limits of one PutEvents call. */
export interface BatchLimits {
  readonly maxEventsPerRequest: number;
  readonly maxRequestBytes: number;
}

/**
 * Splits sized items into consecutive batches of at most `maxEventsPerRequest` items whose JSON
 * array (items, commas and brackets) stays within `maxRequestBytes`. Order is kept.
 */
export function packBatches<T extends { readonly bytes: number }>(items: readonly T[], limits: BatchLimits = PutEventsLimits): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const item of items) {
    const added = item.bytes + (current.length === 0 ? 0 : 1);
    if (current.length > 0 && (current.length >= limits.maxEventsPerRequest || size + added > limits.maxRequestBytes)) {
      batches.push(current);
      current = [];
      size = 2;
    }
    size += item.bytes + (current.length === 0 ? 0 : 1);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
