// The embed-query edge function in its own `deno run` (the hash provider), called by the worker's
// client: the same vector embed-documents stores for a text, every refusal with its status and a
// clear message, and the client's bounded retries against an endpoint that fails for a while.
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedQueryClient } from '../../ecs/embedQueryClient';
import { EmbeddingModelMismatchError } from '../../ecs/queryEmbedder';
import type { EdgeFunctionProcess } from '../../local/supabase';
import { PermanentError } from '../../shared/errors';
import { createEmbedder } from '../../supabase/functions/_shared/embedders';
import { startEdgeFunction } from '../helpers/edgeHarness';

const KEY = 'embed-query-test-key-0123456789';
const HASH = { model: 'hash:v1-384', dimension: 384 };
let fn: EdgeFunctionProcess;
let url: string;

async function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }, method = 'POST'): Promise<{ status: number; body: { error?: { code: string; message: string }; embeddings?: number[][] } }> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'POST' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: response.status, body: (await response.json()) as never };
}

beforeAll(async () => {
  fn = await startEdgeFunction('embed-query', { EMBED_QUERY_KEY: KEY, EMBEDDING_PROVIDER: 'hash', EMBEDDING_DIMENSION: '384' });
  url = `http://127.0.0.1:${fn.port}/`;
}, 60_000);

afterAll(async () => {
  await fn.stop();
});

describe('embed-query', () => {
  it('embeds texts with the documents\' embedder: the vector embed-documents stores for the same text', async () => {
    // Prepare
    const client = new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 });
    const texts = ['Harbour cranes lift containers at dawn.', 'A gradual drop in latency of 47 percent was seen in Sao Paulo.'];
    // Act
    const vectors = await client.embed(texts, HASH);
    // Assert
    const stored = await createEmbedder({ EMBEDDING_PROVIDER: 'hash', EMBEDDING_DIMENSION: 384 } as never).embed(texts);
    expect(vectors).toEqual(stored);
  }, 30_000);

  it('refuses another model or dimension with 409, and the client says which', async () => {
    // Act
    const model = await post({ texts: ['x'], model: 'gte-small', dimension: 384 });
    const dimension = await post({ texts: ['x'], model: 'hash:v1-384', dimension: 1536 });
    const client = new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 });
    // Assert
    expect(model).toMatchObject({ status: 409, body: { error: { code: 'ModelMismatch', message: 'this endpoint embeds with hash:v1-384; the documents were embedded with gte-small' } } });
    expect(dimension).toMatchObject({ status: 409, body: { error: { code: 'DimensionMismatch', message: 'this endpoint embeds 384 dimensions; the index takes 1536' } } });
    await expect(client.embed(['x'], { model: 'gte-small', dimension: 384 })).rejects.toThrow(EmbeddingModelMismatchError);
  }, 30_000);

  it('refuses a missing or wrong key (401), another method (405) and a bad body (400) with a specific message', async () => {
    expect((await post({ texts: ['x'], ...HASH }, {})).status).toBe(401);
    expect((await post({ texts: ['x'], ...HASH }, { authorization: 'Bearer not-the-key-at-all' })).status).toBe(401);
    expect((await post(undefined, { authorization: `Bearer ${KEY}` }, 'GET')).status).toBe(405);
    expect(await post('{"texts":')).toMatchObject({ status: 400, body: { error: { message: 'the body is not JSON' } } });
    expect(await post({ texts: [], ...HASH })).toMatchObject({ status: 400, body: { error: { message: 'texts: texts is empty' } } });
    expect(await post({ texts: Array.from({ length: 33 }, () => 'x'), ...HASH })).toMatchObject({ status: 400, body: { error: { message: 'texts: texts holds more than 32 texts' } } });
    expect(await post({ texts: ['x'], model: 'hash:v1-384' })).toMatchObject({ status: 400 });
    const wrongKey = new EmbedQueryClient({ url, key: 'not-the-key-at-all', timeoutMs: 10_000 });
    await expect(wrongKey.embed(['x'], HASH)).rejects.toThrow(PermanentError);
  }, 30_000);

  it('splits more than 32 texts into several calls', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `text number ${i}`);
    const vectors = await new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 }).embed(texts, HASH);
    expect(vectors).toHaveLength(70);
    expect(vectors[69]).toEqual((await createEmbedder({ EMBEDDING_PROVIDER: 'hash', EMBEDDING_DIMENSION: 384 } as never).embed(['text number 69']))[0]);
  }, 30_000);
});

describe('the worker\'s embed-query client', () => {
  let server: Server;
  let failures = 0;
  let calls = 0;
  let serverUrl = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      calls += 1;
      request.resume();
      request.on('end', () => {
        if (calls <= failures) {
          response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end('{"error":{"code":"ProviderError","message":"busy"}}');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'm', dimension: 2, embeddings: [[0.6, 0.8]] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('retries 5xx answers a bounded number of times', async () => {
    // Prepare
    const sleep = () => Promise.resolve();
    calls = 0;
    failures = 2;
    // Act
    const vectors = await new EmbedQueryClient({ url: serverUrl, key: 'k'.repeat(16), timeoutMs: 5_000, sleep }).embed(['x'], { model: 'm', dimension: 2 });
    // Assert
    expect(vectors).toEqual([[0.6, 0.8]]);
    expect(calls).toBe(3);
    calls = 0;
    failures = 100;
    await expect(new EmbedQueryClient({ url: serverUrl, key: 'k'.repeat(16), timeoutMs: 5_000, sleep, maxAttempts: 3 }).embed(['x'], { model: 'm', dimension: 2 })).rejects.toThrow(/failed after 3 attempts: embed-query answered 503: busy/u);
    expect(calls).toBe(3);
  });

  it('refuses an answer of the wrong shape', async () => {
    calls = 0;
    failures = 0;
    await expect(new EmbedQueryClient({ url: serverUrl, key: 'k'.repeat(16), timeoutMs: 5_000 }).embed(['x'], { model: 'm', dimension: 3 })).rejects.toThrow(/a vector does not have 3 values/u);
  });
});
