import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { OssVectorsNetworkError } from './errors';

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
