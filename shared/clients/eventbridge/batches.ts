// The pure pieces of PutEvents. This file imports nothing (no SDK, no node: module, no other
// project module), so the Deno edge function can import it as it is.

/** PutEvents limits, the stricter of the documented figures (reference section 1.4). */
export const PutEventsLimits = {
  maxEventsPerRequest: 16,
  maxRequestBytes: 256 * 1024,
  maxEventBytes: 64 * 1024,
} as const;

/**
 * Request error codes worth another attempt. The SDK's error carries the body's `code`, not the
 * HTTP status, so throttling and server trouble are recognised by code.
 */
export const TRANSIENT_REQUEST_CODE = /Throttl|Internal|Unavailable|Busy|Timeout|TooManyRequests|Flow/iu;

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

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/u;

/**
 * The SDK takes the host without a scheme and sends plain HTTP unless told otherwise, so the
 * scheme is taken from the endpoint when given, otherwise https except for a loopback emulator.
 */
export function resolveEndpoint(endpoint: string): { host: string; protocol: 'http' | 'https' } {
  const match = /^(https?):\/\/(.+?)\/?$/u.exec(endpoint.trim());
  if (match) return { host: match[2] ?? '', protocol: match[1] === 'http' ? 'http' : 'https' };
  const host = endpoint.trim().replace(/\/$/u, '');
  return { host, protocol: LOOPBACK.test(host) ? 'http' : 'https' };
}
