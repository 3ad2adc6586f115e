import { createHash } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TokenBucket } from '../../ratelimit';
import { parseRetryAfter, retry } from '../../retry';
import { IndexWriteBucket } from './IndexWriteBucket';
import type { WriteRates, WriteStats } from './IndexWriteBucket';
import { OssVectorsAccessDeniedError, OssVectorsNetworkError, OssVectorsNotFoundError, OssVectorsRequestError, OssVectorsUnavailableError } from './errors';
import type { ServiceErrorContext } from './errors';
import type { OssVectorsClientConfig } from './options';
import { signRequest } from './signer';
import type { OssVectorsOperation } from './types';

/** A raw HTTP answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One raw HTTP exchange. */
export interface HttpCall {
  readonly origin: URL;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly timeoutMs: number;
}

// Keep-alive pools: a sync run sends thousands of calls to the same host. An idle socket is closed
// after 4 s, before a server's usual 5 s keep-alive timeout can close it under a new request (EPIPE).
const IDLE_SOCKET_MS = 4_000;
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS });

/**
 * Sends one request with node:http(s), which (unlike fetch) lets the caller set Host and keeps
 * the signed headers exactly as given. A failure before an answer becomes a network error.
 */
export function sendHttp(call: HttpCall): Promise<HttpAnswer> {
  const secure = call.origin.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        protocol: call.origin.protocol,
        hostname: call.origin.hostname,
        port: call.origin.port || (secure ? 443 : 80),
        method: call.method,
        path: call.path,
        headers: { ...call.headers, 'content-length': String(call.body?.length ?? 0) },
        agent: secure ? httpsAgent : httpAgent,
        timeout: call.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => reject(new OssVectorsNetworkError(`reading the answer failed: ${error.message}`, { cause: error })));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new OssVectorsNetworkError(`${call.method} ${call.origin.host}${call.path} failed: ${error.message}`, { code: error.code ?? 'NetworkError', cause: error })),
    );
    req.end(call.body);
  });
}

/** Where a request goes: the URL origin to connect to and the Host name to sign and send. */
interface RequestTarget {
  readonly origin: URL;
  readonly host: string;
}

/**
 * The host of a call: `<bucket>-<accountId>.<region>[-internal].oss-vectors.aliyuncs.com` for a
 * bucket, `<region>[-internal].oss-vectors.aliyuncs.com` for the service. With an endpoint
 * override the connection goes there while Host keeps the OSS name, so an emulator can tell
 * buckets apart exactly as OSS does.
 */
function resolveTarget(config: OssVectorsClientConfig, bucket?: string): RequestTarget {
  const regionHost = `${config.region}${config.internal ? '-internal' : ''}.oss-vectors.aliyuncs.com`;
  const host = bucket === undefined ? regionHost : `${bucket}-${config.accountId}.${regionHost}`;
  const origin = new URL(config.endpoint ?? `${config.secure ? 'https' : 'http'}://${host}`);
  return { origin, host };
}

type ErrorFields = Partial<Record<'Code' | 'Message' | 'RequestId' | 'EC', string>>;

function pickStrings(value: unknown): ErrorFields {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const out: ErrorFields = {};
  for (const key of ['Code', 'Message', 'RequestId', 'EC'] as const) if (typeof record[key] === 'string') out[key] = record[key];
  return out;
}

function fromXml(text: string): ErrorFields {
  const out: ErrorFields = {};
  for (const key of ['Code', 'Message', 'RequestId', 'EC'] as const) {
    const match = new RegExp(`<${key}>([^<]*)</${key}>`, 'u').exec(text);
    if (match?.[1] !== undefined) out[key] = match[1];
  }
  return out;
}

/** Reads OSS's error from the body: `{"Error":{…}}`, a flat object, or XML `<Error>`. */
function readFields(text: string): ErrorFields {
  if (text.trimStart().startsWith('<')) return fromXml(text);
  try {
    const parsed: unknown = JSON.parse(text);
    const nested = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).Error : undefined;
    return nested === undefined ? pickStrings(parsed) : pickStrings(nested);
  } catch {
    return {};
  }
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Turns a non-2xx answer into a typed error: 429 and 5xx are transient, other statuses permanent.
 * A bodiless answer carries the error base64-coded in `x-oss-err`.
 */
function parseServiceError(operation: string, answer: HttpAnswer): OssVectorsRequestError | OssVectorsUnavailableError {
  const encoded = header(answer, 'x-oss-err');
  const text = answer.body.length > 0 ? answer.body.toString('utf8') : encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const fields = readFields(text);
  const requestId = fields.RequestId ?? header(answer, 'x-oss-request-id');
  const ec = fields.EC ?? header(answer, 'x-oss-ec');
  const retryAfterMs = parseRetryAfter(header(answer, 'retry-after'));
  const context: ServiceErrorContext = {
    operation,
    status: answer.status,
    code: fields.Code ?? `Http${answer.status}`,
    message: fields.Message ?? (text.slice(0, 200) || 'no error body'),
    ...(requestId ? { requestId } : {}),
    ...(ec ? { ec } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  if (answer.status === 429 || answer.status >= 500) return new OssVectorsUnavailableError(context);
  if (answer.status === 404) return new OssVectorsNotFoundError(context);
  if (answer.status === 403) return new OssVectorsAccessDeniedError(context);
  return new OssVectorsRequestError(context);
}

/** One call as the client describes it. */
export interface TransportCall {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Absent for ListVectorBuckets (service host). */
  readonly bucket?: string;
  /** Encoded query as sent: a bare subresource (`putVectors`) and/or parameters. */
  readonly query: string;
  readonly body?: unknown;
  /** A body already serialised as JSON (PutVectors of prepared vectors); sent instead of `body`. */
  readonly rawBody?: string;
  /** A write (PutVectors, DeleteVectors): it waits for its index's write quota, with this many vectors. */
  readonly write?: { readonly indexName: string; readonly vectors: number };
}

/** Hooks tests use to run without real waiting (and, with `send`, without a network). */
export interface TransportHooks {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly random?: () => number;
  /** Answers a signed request instead of sending it over HTTP. */
  readonly send?: (call: HttpCall) => Promise<HttpAnswer>;
}

/**
 * Signs, sends and retries calls: transient failures (429, 5xx, network) are retried with capped
 * exponential backoff and jitter, honouring Retry-After. Writes wait for their index's write quota
 * (one IndexWriteBucket per index, for PutVectors and DeleteVectors together) and PutVectorIndex
 * for its own rate, on every attempt, so retries count against the quota too. A 429 on a write
 * holds every write to that index off for the delay before its retry.
 */
export class OssVectorsTransport {
  private readonly limiters: ReadonlyMap<OssVectorsOperation, TokenBucket>;
  private readonly writeBuckets = new Map<string, IndexWriteBucket>();
  private rates: WriteRates;
  private calls = 0;
  private throttled = 0;

  constructor(private readonly config: OssVectorsClientConfig, private readonly hooks: TransportHooks = {}) {
    // Capacity 1 keeps requests evenly spaced: a burst of a whole second's worth would trip a server-side limiter.
    this.limiters = new Map<OssVectorsOperation, TokenBucket>([['PutVectorIndex', new TokenBucket({ ratePerSecond: config.putVectorIndexQps, capacity: 1 })]]);
    this.rates = { requestsPerSecond: config.indexWriteQps, vectorsPerSecond: config.indexWriteVectorsPerSecond };
  }

  /**
   * The write rates of every index from now on: the share of each index's write quota that this
   * client's caller holds while other writers share it (see ecs/writeQuota.ts).
   */
  setWriteRates(rates: WriteRates): void {
    for (const bucket of this.writeBuckets.values()) bucket.setRates(rates);
    this.rates = { ...rates };
  }

  /** The write rates in force. */
  get writeRates(): WriteRates {
    return { ...this.rates };
  }

  /** Write calls sent so far (every attempt) and how many of them were answered 429. */
  get writeStats(): WriteStats {
    return { calls: this.calls, throttled: this.throttled };
  }

  /** Runs one call to completion; returns the 2xx answer or throws a typed error. */
  async call(operation: OssVectorsOperation, call: TransportCall): Promise<HttpAnswer> {
    const bytes = call.rawBody !== undefined ? Buffer.from(call.rawBody) : call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    // Once per call, not per attempt, and before the call waits for its turn.
    const body = bytes && { bytes, md5: createHash('md5').update(bytes).digest('base64') };
    const write = call.write;
    const bucket = write ? this.writeBucket(call.bucket ?? '', write.indexName) : undefined;
    return retry(
      async () => {
        if (bucket && write) await bucket.take(write.vectors);
        else await this.limiters.get(operation)?.take();
        if (bucket) this.calls += 1;
        const answer = await this.send(call, body);
        if (answer.status >= 200 && answer.status < 300) return answer;
        if (bucket && answer.status === 429) this.throttled += 1;
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
        // The index said "too many": no write to it starts before this call's retry is due.
        onRetry: ({ delayMs, error }) => {
          if (bucket && error instanceof OssVectorsUnavailableError && error.status === 429) bucket.holdOff(delayMs);
        },
        ...(this.hooks.sleep ? { sleep: this.hooks.sleep } : {}),
        ...(this.hooks.random ? { random: this.hooks.random } : {}),
      },
    );
  }

  /** The write bucket of one index, made at the rates in force when first used. */
  private writeBucket(bucket: string, indexName: string): IndexWriteBucket {
    const id = `${bucket}/${indexName}`;
    let found = this.writeBuckets.get(id);
    if (!found) {
      const now = this.hooks.now;
      found = new IndexWriteBucket({ rates: this.rates, marginMs: this.config.writePaceMarginMs, ...(now ? { now: () => now().getTime() } : {}), ...(this.hooks.sleep ? { sleep: this.hooks.sleep } : {}) });
      this.writeBuckets.set(id, found);
    }
    return found;
  }

  private send(call: TransportCall, body: { readonly bytes: Buffer; readonly md5: string } | undefined): Promise<HttpAnswer> {
    const target = resolveTarget(this.config, call.bucket);
    const headers: Record<string, string> = { host: target.host };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-md5'] = body.md5;
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
    const http: HttpCall = { origin: target.origin, method: call.method, path, headers: signed, timeoutMs: this.config.requestTimeoutMs, ...(body ? { body: body.bytes } : {}) };
    return (this.hooks.send ?? sendHttp)(http);
  }
}
