import type { IdempotencyStore } from '../idempotency';
import { IdempotencyInProgressError } from './errors';
import { getState, setState } from './state';
import type { PipelineMiddleware, PipelineRequest } from './types';

export interface IdempotencyOptions {
  readonly store: IdempotencyStore;
  /** The key of an invocation; default: function name and CloudEvent id. */
  readonly keyOf?: (request: PipelineRequest) => string | undefined;
  /** How long a claim blocks a concurrent duplicate; should exceed the function timeout. */
  readonly lockMs?: number;
  /** How long a completed result is remembered. */
  readonly ttlMs?: number;
}

const KEY = 'idempotency';
const DEFAULTS = { lockMs: 10 * 60_000, ttlMs: 7 * 24 * 3_600_000 };

function defaultKeyOf(request: PipelineRequest): string | undefined {
  const id = request.context.cloudEvent?.id;
  return id === undefined ? undefined : `${request.context.function?.name ?? 'fn'}:${id}`;
}

/**
 * Handles each event id once: a duplicate of a finished event gets the stored result without
 * running the handler; a duplicate of one in flight is a transient error (EventBridge retries).
 */
export function idempotency(options: IdempotencyOptions): PipelineMiddleware {
  const settings = { ...DEFAULTS, keyOf: defaultKeyOf, ...options };

  async function idempotencyBefore(request: PipelineRequest): Promise<unknown> {
    const key = settings.keyOf(request);
    if (key === undefined) return undefined;
    const claim = await settings.store.claim(key, settings.lockMs);
    if (claim.state === 'completed') {
      request.context.log?.info('duplicate event: answering with the earlier result', { idempotencyKey: key });
      return claim.result ?? null;
    }
    if (claim.state === 'in_progress') {
      throw new IdempotencyInProgressError(`event ${key} is being handled by another invocation`, {
        code: 'IdempotencyInProgress',
        details: { key },
      });
    }
    setState(request, KEY, { key });
    return undefined;
  }

  async function idempotencyAfter(request: PipelineRequest): Promise<void> {
    const state = getState<{ key: string }>(request, KEY);
    if (state) await settings.store.complete(state.key, request.response ?? null, settings.ttlMs);
  }

  async function idempotencyOnError(request: PipelineRequest): Promise<void> {
    const state = getState<{ key: string }>(request, KEY);
    if (state) await settings.store.release(state.key);
  }

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError };
}
