import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/routing/canonicalJson';
import { readIdempotencyKey } from './readIdempotencyKey';
import type { RequestContext, StoredAnswer } from './types';

/**
 * Runs an operation under the request's `Idempotency-Key`, if any: the same key and the same
 * payload (compared as canonical JSON, so key order does not matter) replay the first success;
 * a different payload is 409 `invalid_idempotent_request`.
 */
export async function withIdempotency(context: RequestContext, scope: string, payload: unknown, run: () => Promise<StoredAnswer>): Promise<StoredAnswer> {
  const key = readIdempotencyKey(context.request.headers);
  if (key === undefined) return run();
  const fingerprint = createHash('sha256').update(canonicalJson(payload)).digest('hex');
  const decision = context.idempotency.begin(scope, key, fingerprint);
  if (decision.kind === 'replay') return decision.answer;
  try {
    const answer = await run();
    context.idempotency.complete(scope, key, answer);
    return answer;
  } finally {
    context.idempotency.release(scope, key);
  }
}
