// The embed-query edge function in its own `deno run`, called over HTTP and by the worker's client:
// the hash provider's vectors (the ones embed-documents stores, same model string), every refusal
// with its status and a specific message, and an OpenAI-compatible provider's failures as 503
// (worth a retry) or 502 (not), with the keys the provider echoed kept out of the answer.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedQueryClient } from '../../ecs/embedQueryClient';
import { EmbeddingModelMismatchError } from '../../ecs/queryEmbedder';
import type { EdgeFunctionProcess } from '../../local/supabase';
import { classifyError, PermanentError } from '../../shared/errors';
import { createEmbedder } from '../../supabase/functions/_shared/embedders';
import { startEdgeFunction } from '../helpers/edgeHarness';

const KEY = 'embed-query-test-key-0123456789';
const HASH = { model: 'hash:v1-384', dimension: 384 };
let fn: EdgeFunctionProcess;
let url: string;

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string }; model?: string; dimension?: number; embeddings?: number[][] };
}

async function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }, method = 'POST', target = url): Promise<Answer> {
  const response = await fetch(target, { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'POST' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

/** The vectors embed-documents stores for these texts with EMBEDDING_PROVIDER=hash (the same builder). */
function hashVectors(texts: readonly string[]): Promise<number[][]> {
  return createEmbedder({ EMBEDDING_PROVIDER: 'hash', EMBEDDING_DIMENSION: 384 } as never).embed(texts);
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
    const raw = await post({ texts, ...HASH });
    const vectors = await client.embed(texts, HASH);
    // Assess
    expect(raw).toMatchObject({ status: 200, body: { model: 'hash:v1-384', dimension: 384 } });
    expect(raw.body.embeddings).toEqual(await hashVectors(texts));
    expect(vectors).toEqual(await hashVectors(texts));
  }, 30_000);

  it('refuses another model or dimension with 409 naming both, and the client says which', async () => {
    // Act
    const model = await post({ texts: ['x'], model: 'gte-small', dimension: 384 });
    const dimension = await post({ texts: ['x'], model: 'hash:v1-384', dimension: 1536 });
    const failure = await new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 }).embed(['x'], { model: 'gte-small', dimension: 384 }).catch((error: unknown) => error);
    // Assess
    expect(model).toMatchObject({ status: 409, body: { error: { code: 'ModelMismatch', message: 'this endpoint embeds with hash:v1-384; the documents were embedded with gte-small' } } });
    expect(model.body.embeddings).toBeUndefined();
    expect(dimension).toMatchObject({ status: 409, body: { error: { code: 'DimensionMismatch', message: 'this endpoint embeds 384 dimensions; the index takes 1536' } } });
    expect(failure).toBeInstanceOf(EmbeddingModelMismatchError);
    expect((failure as Error).message).toBe('the documents were embedded with gte-small (384 dimensions), but embed-query refused to embed for them: this endpoint embeds with hash:v1-384; the documents were embedded with gte-small');
  }, 30_000);

  it.each([
    ['a body that is not JSON', '{"texts":', 'the body is not JSON'],
    ['no texts', { texts: [], ...HASH }, 'texts: texts is empty'],
    ['33 texts', { texts: Array.from({ length: 33 }, () => 'x'), ...HASH }, 'texts: texts holds more than 32 texts'],
    ['a text of 4,001 characters', { texts: ['ok', 'y'.repeat(4_001)], ...HASH }, 'texts.1: a text is longer than 4000 characters'],
    ['an empty text', { texts: [''], ...HASH }, 'texts.0: a text is empty'],
    ['no dimension', { texts: ['x'], model: 'hash:v1-384' }, /^dimension: /u],
    ['a fractional dimension', { texts: ['x'], model: 'hash:v1-384', dimension: 3.5 }, 'dimension: dimension must be a whole number'],
    ['an empty model', { texts: ['x'], model: '', dimension: 384 }, 'model: model is empty'],
    ['texts that are no list', { texts: 'x', ...HASH }, /^texts: /u],
    ['a field it does not know', { texts: ['x'], ...HASH, topK: 3 }, /topK/u],
  ])('refuses %s with 400 and a specific message', async (_name, body, message) => {
    // Act
    const answer = await post(body);
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('BadRequest');
    if (typeof message === 'string') expect(answer.body.error?.message).toBe(message);
    else expect(answer.body.error?.message).toMatch(message);
  }, 30_000);

  it('refuses a missing or wrong key with 401 without echoing it, and the client takes that as permanent', async () => {
    // Act
    const missing = await post({ texts: ['x'], ...HASH }, {});
    const wrong = await post({ texts: ['x'], ...HASH }, { authorization: 'Bearer not-the-key-at-all-0123' });
    const failure = await new EmbedQueryClient({ url, key: 'not-the-key-at-all-0123', timeoutMs: 10_000 }).embed(['x'], HASH).catch((error: unknown) => error);
    // Assess
    expect(missing).toMatchObject({ status: 401, body: { error: { code: 'Unauthorized', message: 'missing or invalid Authorization bearer key' } } });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-key-at-all');
    expect(failure).toBeInstanceOf(PermanentError);
    expect((failure as Error).message).toBe('embed-query refused the request (401 Unauthorized): missing or invalid Authorization bearer key');
  }, 30_000);

  it('answers another method than POST with 405 and Allow: POST', async () => {
    // Act
    const answer = await post(undefined, { authorization: `Bearer ${KEY}` }, 'GET');
    // Assess
    expect(answer).toMatchObject({ status: 405, body: { error: { code: 'MethodNotAllowed' } } });
    expect(answer.headers.get('allow')).toBe('POST');
  }, 30_000);

  it('answers a text the provider cannot embed with 502 ProviderRefused, which the client does not retry', async () => {
    // Act
    const answer = await post({ texts: ['a word', '?!'], ...HASH });
    const failure = await new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 }).embed(['?!'], HASH).catch((error: unknown) => error);
    // Assess
    expect(answer).toMatchObject({ status: 502, body: { error: { code: 'ProviderRefused', message: 'hash embedder: the text has no word to embed' } } });
    expect(classifyError(failure)).toBe('permanent');
    expect((failure as Error).message).toBe('embed-query refused the request (502 ProviderRefused): hash embedder: the text has no word to embed');
  }, 30_000);

  it('splits more than 32 texts into several calls', async () => {
    // Prepare
    const texts = Array.from({ length: 70 }, (_, i) => `text number ${i}`);
    // Act
    const vectors = await new EmbedQueryClient({ url, key: KEY, timeoutMs: 10_000 }).embed(texts, HASH);
    // Assess
    expect(vectors).toEqual(await hashVectors(texts));
  }, 30_000);
});

describe('embed-query with an OpenAI-compatible provider', () => {
  const OPENAI_KEY = 'sk-test-provider-secret-0123456789';
  const OPENAI = { model: 'openai:text-embedding-3-small', dimension: 4 };
  let provider: Server;
  let providerStatus = 200;
  let openai: EdgeFunctionProcess;
  let openaiUrl = '';

  beforeAll(async () => {
    // Answers like a careless provider: its refusals repeat the key it was sent.
    provider = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (providerStatus !== 200) {
          response.writeHead(providerStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `refused, key was ${request.headers.authorization ?? ''}` } }));
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0, 0, 0] }] }));
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`;
    openai = await startEdgeFunction('embed-query', { EMBED_QUERY_KEY: KEY, EMBEDDING_PROVIDER: 'openai', EMBEDDING_MODEL: 'text-embedding-3-small', EMBEDDING_DIMENSION: '4', OPENAI_BASE_URL: base, OPENAI_API_KEY: OPENAI_KEY, OPENAI_MAX_RETRIES: '0' });
    openaiUrl = `http://127.0.0.1:${openai.port}/`;
  }, 60_000);

  afterAll(async () => {
    await openai.stop();
    await new Promise((resolve) => provider.close(resolve));
  });

  it('embeds with the provider\'s model', async () => {
    // Prepare
    providerStatus = 200;
    // Act
    const answer = await post({ texts: ['x'], ...OPENAI }, undefined, 'POST', openaiUrl);
    // Assess
    expect(answer).toMatchObject({ status: 200, body: { model: 'openai:text-embedding-3-small', dimension: 4, embeddings: [[1, 0, 0, 0]] } });
  }, 30_000);

  it.each([
    [500, 503, 'ProviderUnavailable'],
    [429, 503, 'ProviderUnavailable'],
    [401, 502, 'ProviderRefused'],
  ])('answers a provider\'s %i with %i %s and no key in the message', async (status, expected, code) => {
    // Prepare
    providerStatus = status;
    // Act
    const answer = await post({ texts: ['x'], ...OPENAI }, undefined, 'POST', openaiUrl);
    // Assess
    expect(answer).toMatchObject({ status: expected, body: { error: { code } } });
    expect(answer.body.error?.message).toContain(`embeddings endpoint answered ${status}`);
    expect(answer.body.error?.message).toContain('[redacted]');
    expect(JSON.stringify(answer.body)).not.toContain(OPENAI_KEY);
  }, 30_000);
});
