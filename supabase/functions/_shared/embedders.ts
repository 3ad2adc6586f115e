// The sources of vectors embed-documents can use: Supabase's built-in gte-small, any
// OpenAI-compatible endpoint, and an offline deterministic hash embedder; EMBEDDING_PROVIDER picks.
import * as z from 'zod';
import { ConfigError } from '../../../shared/config.ts';
import { computeDelay, parseRetryAfter } from '../../../shared/retry.ts';
import type { EmbedderConfig } from './config.ts';
import { errorText, ProviderError } from './errors.ts';

/** A source of vectors for texts. */
export interface Embedder {
  /** Stored in `document_embeddings.model`: `<provider>:<model>`, e.g. `hash:v1-384`. */
  readonly model: string;
  readonly dimension: number;
  /** One vector per text, in input order; throws ProviderError for the whole batch. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** The vector scaled to unit length; null for the zero vector. */
function normalize(vector: readonly number[]): number[] | null {
  let sum = 0;
  for (const value of vector) sum += value * value;
  if (sum === 0 || !Number.isFinite(sum)) return null;
  const norm = Math.sqrt(sum);
  return vector.map((value) => value / norm);
}

const WORD = /[\p{L}\p{N}]+/gu;
const TRIGRAM_WEIGHT = 0.5;

/** 32-bit FNV-1a over the UTF-16 code units, seeded so words and trigrams hash apart. */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Deterministic offline embeddings by feature hashing: lower-cased word tokens and the character
 * trigrams of each word (padded with spaces) go to `dimension` buckets with a hash-chosen sign,
 * then the vector is L2-normalised. Similar texts get similar vectors; no network, no model.
 */
class HashEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimension: number) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    this.model = `hash:v1-${dimension}`;
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    try {
      return Promise.resolve(texts.map((text) => this.embedOne(text)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The vector of one text; throws a permanent ProviderError when it has no word. */
  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimension).fill(0);
    for (const word of text.toLowerCase().match(WORD) ?? []) {
      this.add(vector, `w:${word}`, 1);
      const padded = ` ${word} `;
      for (let i = 0; i + 3 <= padded.length; i += 1) this.add(vector, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
    }
    const unit = normalize(vector);
    if (!unit) throw new ProviderError('hash embedder: the text has no word to embed', { transient: false });
    return unit;
  }

  private add(vector: number[], feature: string, weight: number): void {
    const bucket = fnv1a(feature, 0) % this.dimension;
    const sign = (fnv1a(feature, 0x9e3779b9) & 1) === 0 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
  }
}

/** Settings of an OpenAI-compatible embeddings endpoint. */
interface OpenAiEmbedderOptions {
  /** e.g. `https://api.openai.com/v1`; `/embeddings` is appended. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly model: string;
  readonly dimension: number;
  /** Send `dimensions` (text-embedding-3 models accept it; older models refuse it). */
  readonly sendDimensions: boolean;
  readonly timeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and dropped connections. */
  readonly maxRetries: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

const ResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Embeddings from an OpenAI-compatible `POST /embeddings`, one request per batch. */
class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly url: string;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.model = `openai:${options.model}`;
    this.dimension = options.dimension;
    this.url = `${options.baseUrl.replace(/\/+$/u, '')}/embeddings`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const sleep = this.options.sleep ?? sleepFor;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.request(texts);
      } catch (error) {
        const failure = error instanceof ProviderError ? error : new ProviderError(`embeddings request failed: ${errorText(error)}`, { transient: true, cause: error });
        if (!failure.transient || attempt > this.options.maxRetries) throw failure;
        const backoff = { baseDelayMs: this.options.backoffBaseMs, maxDelayMs: this.options.backoffMaxMs };
        await sleep(Math.min(this.options.backoffMaxMs, failure.retryAfterMs ?? computeDelay(attempt, backoff)));
      }
    }
  }

  private async request(texts: readonly string[]): Promise<number[][]> {
    const doFetch = this.options.fetch ?? fetch;
    const body = { model: this.options.model, input: texts, encoding_format: 'float', ...(this.options.sendDimensions ? { dimensions: this.dimension } : {}) };
    const response = await doFetch(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      const transient = response.status === 429 || response.status === 408 || response.status >= 500;
      const error = new ProviderError(`embeddings endpoint answered ${response.status}: ${detail}`, { transient, httpStatus: response.status });
      error.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      throw error;
    }
    const parsed = ResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new ProviderError(`embeddings endpoint answered an unexpected shape: ${parsed.error.message.slice(0, 300)}`, { transient: false });
    const vectors = new Array<number[] | undefined>(texts.length);
    for (const item of parsed.data.data) vectors[item.index] = item.embedding;
    return vectors.map((vector, index) => {
      if (!vector) throw new ProviderError(`embeddings endpoint returned no vector for input ${index}`, { transient: false });
      if (vector.length !== this.dimension) throw new ProviderError(`embeddings endpoint returned ${vector.length} dimensions, expected ${this.dimension}`, { transient: false });
      return vector;
    });
  }
}

interface AiSession {
  run(input: string, options: { mean_pool: boolean; normalize: boolean }): Promise<unknown>;
}
interface SupabaseGlobal {
  ai?: { Session: new (model: string) => AiSession };
}

/** gte-small's output size. */
const GTE_SMALL_DIMENSION = 384;

/** Supabase's built-in `gte-small` (mean-pooled, normalised); exists only inside Supabase's edge runtime. */
class SupabaseAiEmbedder implements Embedder {
  readonly model = 'gte-small';
  readonly dimension = GTE_SMALL_DIMENSION;
  private readonly session: AiSession;

  constructor(runtime: unknown = (globalThis as { Supabase?: unknown }).Supabase) {
    const Session = (runtime as SupabaseGlobal | undefined)?.ai?.Session;
    if (typeof Session !== 'function') {
      // Both embed-documents and embed-query build this embedder, so the message names neither.
      throw new ConfigError('the edge functions', [{ variable: 'EMBEDDING_PROVIDER', message: 'gte-small needs Supabase\'s edge runtime (globalThis.Supabase.ai is absent); use openai or hash elsewhere' }]);
    }
    // One session serves every request of this instance: loading the model is the slow part.
    this.session = new Session('gte-small');
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (const text of texts) {
      let output: unknown;
      try {
        output = await this.session.run(text, { mean_pool: true, normalize: true });
      } catch (error) {
        throw new ProviderError(`gte-small failed: ${errorText(error)}`, { transient: true, cause: error });
      }
      const vector = Array.from(output as ArrayLike<number>);
      if (vector.length !== this.dimension) throw new ProviderError(`gte-small returned ${vector.length} dimensions`, { transient: false });
      vectors.push(vector);
    }
    return vectors;
  }
}

/** The embedder EMBEDDING_PROVIDER names. */
export function createEmbedder(config: EmbedderConfig): Embedder {
  switch (config.EMBEDDING_PROVIDER) {
    case 'hash':
      return new HashEmbedder(config.EMBEDDING_DIMENSION);
    case 'openai':
      return new OpenAiEmbedder({
        baseUrl: config.OPENAI_BASE_URL,
        apiKey: config.OPENAI_API_KEY,
        model: config.EMBEDDING_MODEL,
        dimension: config.EMBEDDING_DIMENSION,
        sendDimensions: config.OPENAI_SEND_DIMENSIONS ?? config.EMBEDDING_MODEL.startsWith('text-embedding-3'),
        timeoutMs: config.OPENAI_TIMEOUT_MS,
        maxRetries: config.OPENAI_MAX_RETRIES,
        backoffBaseMs: 500,
        backoffMaxMs: 10_000,
      });
    case 'gte-small':
      return new SupabaseAiEmbedder();
  }
}
