import * as z from 'npm:zod@4.6.7';
import { computeBackoffMs, parseRetryAfter } from '../backoff.ts';
import { describeError, ProviderError } from '../errors.ts';
import type { Embedder } from './types.ts';

/** Settings of an OpenAI-compatible embeddings endpoint. */
export interface OpenAiEmbedderOptions {
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
export class OpenAiEmbedder implements Embedder {
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
        const failure = error instanceof ProviderError ? error : new ProviderError(`embeddings request failed: ${describeError(error)}`, { transient: true, cause: error });
        if (!failure.transient || attempt > this.options.maxRetries) throw failure;
        const backoff = { baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs };
        await sleep(Math.min(this.options.backoffMaxMs, failure.retryAfterMs ?? computeBackoffMs(attempt, backoff)));
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
