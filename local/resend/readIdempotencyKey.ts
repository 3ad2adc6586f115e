import type { IncomingHttpHeaders } from 'node:http';
import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';

/** The `Idempotency-Key` header, if sent; 400 `invalid_idempotency_key` outside 1–256 characters. */
export function readIdempotencyKey(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw.join(',') : raw;
  if (key.length < ResendEmulatorLimits.minIdempotencyKeyLength || key.length > ResendEmulatorLimits.maxIdempotencyKeyLength) {
    throw new ResendApiError('invalid_idempotency_key', 'The key must be between 1-256 chars.');
  }
  return key;
}
