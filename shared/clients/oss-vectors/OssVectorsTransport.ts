import { createHash } from 'node:crypto';
import { retry } from '../../retry';
import { TokenBucket } from '../../ratelimit';
import { OssVectorsUnavailableError } from './errors';
import type { OssVectorsClientConfig } from './options-schema';
import { parseServiceError } from './parseServiceError';
import { resolveTarget } from './resolveTarget';
import { sendHttp } from './sendHttp';
import type { HttpAnswer } from './sendHttp';
import { signRequest } from './signer';
import type { OssVectorsOperation } from './types';

/** One call as the client describes it. */
export interface TransportCall {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Absent for ListVectorBuckets (service host). */
  readonly bucket?: string;
  /** Encoded query as sent: a bare subresource (`putVectors`) and/or parameters. */
  readonly query: string;
  readonly body?: unknown;
}

/** Hooks tests use to run without real waiting. */
export interface TransportHooks {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly random?: () => number;
}

/**
 * Signs, sends and retries calls: transient failures (429, 5xx, network) are retried with capped
 * exponential backoff and jitter, honouring Retry-After; throttled operations wait for a token on
 * every attempt, so retries count against the rate too.
 */
export class OssVectorsTransport {
  private readonly limiters: ReadonlyMap<OssVectorsOperation, TokenBucket>;

  constructor(private readonly config: OssVectorsClientConfig, private readonly hooks: TransportHooks = {}) {
    // Capacity 1 keeps requests evenly spaced: a burst of a whole second's worth would trip a server-side limiter.
    this.limiters = new Map<OssVectorsOperation, TokenBucket>([
      ['PutVectors', new TokenBucket({ ratePerSecond: config.putVectorsQps, capacity: 1 })],
      ['PutVectorIndex', new TokenBucket({ ratePerSecond: config.putVectorIndexQps, capacity: 1 })],
    ]);
  }

  /** Runs one call to completion; returns the 2xx answer or throws a typed error. */
  async call(operation: OssVectorsOperation, call: TransportCall): Promise<HttpAnswer> {
    const body = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    return retry(
      async () => {
        await this.limiters.get(operation)?.take();
        const answer = await this.send(call, body);
        if (answer.status >= 200 && answer.status < 300) return answer;
        throw parseServiceError(operation, answer);
      },
      {
        operation,
        maxAttempts: this.config.maxAttempts,
        baseDelayMs: this.config.baseDelayMs,
        maxDelayMs: this.config.maxDelayMs,
        maxRetryAfterMs: this.config.maxRetryAfterMs,
        jitter: 'full',
        retryAfterMs: (error) => (error instanceof OssVectorsUnavailableError ? error.retryAfterMs : undefined),
        ...(this.hooks.sleep ? { sleep: this.hooks.sleep } : {}),
        ...(this.hooks.random ? { random: this.hooks.random } : {}),
      },
    );
  }

  private send(call: TransportCall, body: Buffer | undefined): Promise<HttpAnswer> {
    const target = resolveTarget(this.config, call.bucket);
    const headers: Record<string, string> = { host: target.host };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-md5'] = createHash('md5').update(body).digest('base64');
    }
    const signed = signRequest({
      method: call.method,
      region: this.config.region,
      accountId: this.config.accountId,
      ...(call.bucket === undefined ? {} : { bucket: call.bucket }),
      rawQuery: call.query,
      headers,
      credentials: this.config.credentials,
      // A fresh date per attempt: a retry after a long wait must not look stale.
      date: this.hooks.now?.() ?? new Date(),
    });
    const path = call.query === '' ? '/' : `/?${call.query}`;
    return sendHttp({ origin: target.origin, method: call.method, path, headers: signed, timeoutMs: this.config.requestTimeoutMs, ...(body ? { body } : {}) });
  }
}
