import { TransientError, classifyError, describeError } from '../errors';
import type { ErrorKind } from '../errors';
import { decodedEventOf } from './parseEvent';
import type { ParkFn, PipelineMiddleware, PipelineRequest } from './pipeline';

export interface ClassifyErrorsOptions {
  /** Stores a permanent failure with its reason. */
  readonly park: ParkFn;
  /** Overrides the default classification. */
  readonly classify?: (error: unknown) => ErrorKind;
}

/** What the invocation answers when a permanent failure was parked. */
export interface ParkedResponse {
  readonly status: 'parked';
  readonly code: string;
  readonly reason: string;
}

/**
 * Splits failures in two. Transient: rethrown, so EventBridge retries and, after its retries,
 * dead-letters the event. Permanent: handed to `park` with the reason and the invocation
 * succeeds, so a bad event is not retried for nothing. A failing `park` becomes transient.
 */
export function classifyErrors(options: ClassifyErrorsOptions): PipelineMiddleware {
  const classify = options.classify ?? classifyError;

  async function classifyErrorsOnError(request: PipelineRequest): Promise<ParkedResponse | undefined> {
    const { error, context } = request;
    const kind = classify(error);
    const described = describeError(error);
    if (kind === 'transient') {
      context.log?.warn('transient failure; the event will be retried', { error: described });
      return undefined;
    }
    const code = described.code ?? described.name;
    const failure = {
      functionName: context.function?.name ?? 'unknown',
      requestId: context.requestId,
      ...(context.cloudEvent ? { eventId: context.cloudEvent.id, eventType: context.cloudEvent.type } : {}),
      code,
      reason: described.message,
      event: decodedEventOf(request),
    };
    try {
      await options.park(failure, context);
    } catch (cause) {
      throw new TransientError(`parking a permanent failure failed: ${describeError(cause).message}`, {
        code: 'ParkFailed',
        cause,
      });
    }
    context.log?.warn('permanent failure parked', { code, reason: described.message });
    return { status: 'parked', code, reason: described.message };
  }

  return { onError: classifyErrorsOnError };
}
