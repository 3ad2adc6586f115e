// The worker's embed-query client against a small local HTTP server that answers from a script:
// batches of 32, the key and the documents' model sent, 429/5xx/network failures retried a bounded
// number of times (Retry-After honoured), a 409 as EmbeddingModelMismatchError, other refusals as
// permanent errors with the endpoint's message, and answers checked before they are used.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQueryEmbedder, EmbedQueryClient } from '../../ecs/embedQueryClient';
import { EmbeddingModelMismatchError } from '../../ecs/queryEmbedder';
import { classifyError, PermanentError } from '../../shared/errors';
import { RetriesExhaustedError } from '../../shared/retry';

const KEY = 'client-test-key-0123456789';
const DOCUMENTS = { model: 'hash:v1-2', dimension: 2 } as const;

/** One scripted answer: a status with a body, `vectors` (one per text, derived from the text), or a dropped connection. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'vectors' | 'drop' | 'hang';

interface Received {
  readonly authorization: string | undefined;
  readonly body: { texts: string[]; model: string; dimension: number };
}

let server: Server;
let url = '';
let script: Answer[] = [];
let received: Received[] = [];
const delays: number[] = [];
const sleep = (ms: number): Promise<void> => {
  delays.push(ms);
  return Promise.resolve();
};

/** The vector the server answers for a text: its number and 1 (`text 7` → [7, 1]). */
const vectorOf = (text: string): number[] => [Number(text.replace(/\D/gu, '')), 1];

function answer(request: IncomingMessage, response: ServerResponse, chunks: Buffer[]): void {
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'];
  received.push({ authorization: request.headers.authorization, body });
  const next = script.shift() ?? 'vectors';
  if (next === 'drop') return void request.socket.destroy();
  if (next === 'hang') return;
  if (next === 'vectors') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: body.model, dimension: body.dimension, embeddings: body.texts.map(vectorOf) }));
    return;
  }
  response.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body ?? {}));
}

function client(options: { maxAttempts?: number; timeoutMs?: number } = {}): EmbedQueryClient {
  return new EmbedQueryClient({ url, key: KEY, timeoutMs: options.timeoutMs ?? 5_000, sleep, ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}) });
}

const refusal = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/embed-query`;
});

beforeEach(() => {
  script = [];
  received = [];
  delays.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('EmbedQueryClient', () => {
  it('sends its key and the documents\' model and dimension, and splits more than 32 texts into calls of 32', async () => {
    // Prepare
    const texts = Array.from({ length: 70 }, (_, i) => `text ${i}`);
    // Act
    const vectors = await client().embed(texts, DOCUMENTS);
    // Assess
    expect(received.map((call) => call.body.texts.length)).toEqual([32, 32, 6]);
    expect(received.every((call) => call.authorization === `Bearer ${KEY}` && call.body.model === 'hash:v1-2' && call.body.dimension === 2)).toBe(true);
    expect(vectors).toEqual(texts.map(vectorOf));
  });

  it.each([
    ['429', { status: 429, body: { error: { code: 'TooMany', message: 'slow down' } } }],
    ['500', { status: 500, body: 'not json' }],
    ['a gateway\'s 502', { status: 502, body: '<html>bad gateway</html>' }],
    ['503', refusal(503, 'ProviderUnavailable', 'gte-small failed')],
    ['a dropped connection', 'drop'],
  ] as [string, Answer][])('retries %s and answers once the endpoint recovers', async (_name, failure) => {
    // Prepare
    script = [failure, failure];
    // Act
    const vectors = await client().embed(['text 3'], DOCUMENTS);
    // Assess
    expect(vectors).toEqual([[3, 1]]);
    expect(received).toHaveLength(3);
  });

  it('stops after maxAttempts and says what the endpoint answered last', async () => {
    // Prepare
    script = Array.from({ length: 10 }, () => refusal(503, 'ProviderUnavailable', 'gte-small failed'));
    // Act
    const failure = await client({ maxAttempts: 3 }).embed(['text 1'], DOCUMENTS).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(RetriesExhaustedError);
    expect(String(failure)).toContain('embed-query answered 503: gte-small failed');
    expect(received).toHaveLength(3);
  });

  it('gives up on an endpoint that does not answer within the timeout, a bounded number of times', async () => {
    // Prepare
    script = ['hang', 'hang'];
    // Act
    const failure = await client({ maxAttempts: 2, timeoutMs: 500 }).embed(['text 1'], DOCUMENTS).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(RetriesExhaustedError);
    expect(String(failure)).toContain('embed-query did not answer');
    expect(received).toHaveLength(2);
  });

  it('waits what Retry-After asks for before the next attempt', async () => {
    // Prepare
    script = [{ status: 429, headers: { 'retry-after': '3' }, body: { error: { code: 'TooMany', message: 'slow down' } } }];
    // Act
    await client().embed(['text 1'], DOCUMENTS);
    // Assess
    expect(delays).toEqual([3_000]);
  });

  it.each([
    ['ModelMismatch', 'this endpoint embeds with gte-small; the documents were embedded with hash:v1-2'],
    ['DimensionMismatch', 'this endpoint embeds 384 dimensions; the index takes 2'],
  ])('turns a 409 %s into a permanent EmbeddingModelMismatchError naming both sides, without a retry', async (code, message) => {
    // Prepare
    script = [refusal(409, code, message)];
    // Act
    const failure = await client().embed(['text 1'], DOCUMENTS).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(EmbeddingModelMismatchError);
    expect(classifyError(failure)).toBe('permanent');
    expect((failure as Error).message).toBe(`the documents were embedded with hash:v1-2 (2 dimensions), but embed-query refused to embed for them: ${message}`);
    expect(received).toHaveLength(1);
  });

  it.each([
    [400, 'BadRequest', 'texts.0: a text is longer than 4000 characters'],
    [401, 'Unauthorized', 'missing or invalid Authorization bearer key'],
    [409, 'Conflict', 'something else'],
    [502, 'ProviderRefused', 'hash embedder: the text has no word to embed'],
  ])('turns a %i %s into a permanent error with the endpoint\'s message, without a retry', async (status, code, message) => {
    // Prepare
    script = [refusal(status, code, message)];
    // Act
    const failure = await client().embed(['text 1'], DOCUMENTS).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(PermanentError);
    expect(failure).not.toBeInstanceOf(EmbeddingModelMismatchError);
    expect((failure as Error).message).toBe(`embed-query refused the request (${status} ${code}): ${message}`);
    expect(received).toHaveLength(1);
  });

  it.each([
    ['too few vectors', { model: 'hash:v1-2', dimension: 2, embeddings: [[1, 0]] }, 'the answer does not hold 2 vectors'],
    ['a vector of another dimension', { model: 'hash:v1-2', dimension: 2, embeddings: [[1, 0], [1, 0, 0]] }, 'a vector does not have 2 values'],
    ['a value that is not a finite number', { model: 'hash:v1-2', dimension: 2, embeddings: [[1, 0], [null, 1]] }, 'expected number'],
    ['another model', { model: 'gte-small', dimension: 2, embeddings: [[1, 0], [0, 1]] }, 'the answer is for another model than hash:v1-2'],
    ['no JSON', 'vectors?', 'embed-query answered something unusable'],
  ])('refuses an answer with %s', async (_name, body, message) => {
    // Prepare
    script = [{ status: 200, body }];
    // Act
    const failure = await client().embed(['text 1', 'text 2'], DOCUMENTS).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(PermanentError);
    expect((failure as Error).message).toContain(message);
  });
});

describe('createQueryEmbedder', () => {
  it('builds no embedder without EMBED_QUERY_URL and a client of it with one', async () => {
    // Act
    const none = createQueryEmbedder({ EMBED_QUERY_URL: '', EMBED_QUERY_KEY: '', EMBED_QUERY_TIMEOUT_MS: 10_000 });
    const some = createQueryEmbedder({ EMBED_QUERY_URL: url, EMBED_QUERY_KEY: KEY, EMBED_QUERY_TIMEOUT_MS: 10_000 });
    // Assess
    expect(none).toBeUndefined();
    expect(await some?.embed(['text 5'], DOCUMENTS)).toEqual([[5, 1]]);
    expect(received[0]?.authorization).toBe(`Bearer ${KEY}`);
  });
});
