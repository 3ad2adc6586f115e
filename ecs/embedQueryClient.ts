// The worker's client of the embed-query edge function: texts in batches of 32, the worker's own
// bearer key, a timeout per call, 429/5xx/network failures retried with capped backoff (bounded),
// a 409 (another model or dimension) as EmbeddingModelMismatchError, every answer checked.
import * as z from 'zod';
import { PermanentError, TransientError } from '../shared/errors';
import { parseRetryAfter, retry } from '../shared/retry';
import type { RetryOptions } from '../shared/retry';
import { EmbeddingModelMismatchError } from './queryEmbedder';
import type { ExpectedModel, QueryEmbedder } from './queryEmbedder';

/** Texts per call: what the endpoint takes (supabase/functions/_shared/embedQuery.ts). */
const TEXTS_PER_CALL = 32;
/** The 409 codes of a model or dimension the endpoint does not embed with. */
const MISMATCH_CODES: ReadonlySet<string> = new Set(['ModelMismatch', 'DimensionMismatch']);
/** The 502 code of a provider failure a retry will not mend (ProviderErrorCodes.refused there). */
const PROVIDER_REFUSED = 'ProviderRefused';

/** Where and how the client calls. */
export interface EmbedQueryClientOptions {
  /** The function's URL, e.g. `https://<project>.supabase.co/functions/v1/embed-query`. */
  readonly url: string;
  /** EMBED_QUERY_KEY: the endpoint's own bearer key. */
  readonly key: string;
  readonly timeoutMs: number;
  /** Attempts per call, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Test seams. */
  readonly fetch?: typeof fetch;
  readonly sleep?: RetryOptions['sleep'];
}

/** A failure worth another attempt, with the server's Retry-After when it sent one. */
class EmbedQueryUnavailableError extends TransientError {
  constructor(message: string, readonly retryAfterMs?: number, options: { cause?: unknown } = {}) {
    super(message, { code: 'EmbedQueryUnavailable', ...options });
  }
}

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The error message the endpoint sent, or the status alone. */
async function refusalOf(response: Response): Promise<{ code: string; message: string }> {
  const text = await response.text();
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.error;
  } catch {
    // Not JSON: the status says enough.
  }
  return { code: `HTTP${response.status}`, message: `status ${response.status}` };
}

/** Calls embed-query (see the file header); implements the worker's QueryEmbedder. */
export class EmbedQueryClient implements QueryEmbedder {
  constructor(private readonly options: EmbedQueryClientOptions) {}

  async embed(texts: readonly string[], expected: ExpectedModel): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += TEXTS_PER_CALL) vectors.push(...(await this.call(texts.slice(start, start + TEXTS_PER_CALL), expected)));
    return vectors;
  }

  private call(texts: readonly string[], expected: ExpectedModel): Promise<number[][]> {
    return retry(() => this.attempt(texts, expected), {
      operation: 'embed-query',
      maxAttempts: this.options.maxAttempts ?? 4,
      baseDelayMs: 250,
      maxDelayMs: 4_000,
      retryAfterMs: (error) => (error instanceof EmbedQueryUnavailableError ? error.retryAfterMs : undefined),
      maxRetryAfterMs: 10_000,
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
    });
  }

  private async attempt(texts: readonly string[], expected: ExpectedModel): Promise<number[][]> {
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.options.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ texts, model: expected.model, dimension: expected.dimension }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new EmbedQueryUnavailableError(`embed-query did not answer: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
    }
    if (response.status === 200) return this.vectorsOf(await response.json().catch(() => undefined), texts.length, expected);
    const refusal = await refusalOf(response);
    if (response.status === 409 && MISMATCH_CODES.has(refusal.code)) {
      throw new EmbeddingModelMismatchError(`the documents were embedded with ${expected.model} (${expected.dimension} dimensions), but embed-query refused to embed for them: ${refusal.message}`, { code: refusal.code, details: { ...expected } });
    }
    // The provider will refuse the same texts again (a text it cannot embed, a wrong model name).
    const refused = response.status === 502 && refusal.code === PROVIDER_REFUSED;
    if (!refused && (response.status === 429 || response.status >= 500)) throw new EmbedQueryUnavailableError(`embed-query answered ${response.status}: ${refusal.message}`, parseRetryAfter(response.headers.get('retry-after')));
    throw new PermanentError(`embed-query refused the request (${response.status} ${refusal.code}): ${refusal.message}`, { code: refusal.code });
  }

  /** The answer's vectors, checked: one per text, each of the index's dimension, finite. */
  private vectorsOf(body: unknown, count: number, expected: ExpectedModel): number[][] {
    const schema = z.object({
      model: z.literal(expected.model, { message: `the answer is for another model than ${expected.model}` }),
      embeddings: z
        .array(z.array(z.number().finite('a value is not finite')).length(expected.dimension, `a vector does not have ${expected.dimension} values`))
        .length(count, `the answer does not hold ${count} vectors`),
    });
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new PermanentError(`embed-query answered something unusable: ${parsed.error.issues[0]?.message ?? 'not the expected JSON'}`, { code: 'EmbedQueryAnswerInvalid' });
    return parsed.data.embeddings;
  }
}

/** The worker's settings the client is built from (shared/config.ts's worker schema). */
export type EmbedQuerySettings = Readonly<{ EMBED_QUERY_URL: string; EMBED_QUERY_KEY: string; EMBED_QUERY_TIMEOUT_MS: number }>;

/** The worker's query embedder: a client of EMBED_QUERY_URL, or none when the URL is ''. */
export function createQueryEmbedder(settings: EmbedQuerySettings): QueryEmbedder | undefined {
  if (settings.EMBED_QUERY_URL === '') return undefined;
  return new EmbedQueryClient({ url: settings.EMBED_QUERY_URL, key: settings.EMBED_QUERY_KEY, timeoutMs: settings.EMBED_QUERY_TIMEOUT_MS });
}
