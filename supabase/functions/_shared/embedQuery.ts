// embed-query: embeds a search's texts with the provider and model that embedded the documents, for
// the worker (its own bearer key). The caller names the model and dimension its documents carry;
// an endpoint set up with another model refuses (409) instead of answering vectors from another space.
import * as z from 'zod';
import type { EmbedQueryConfig } from './config.ts';
import { createEmbedder } from './embedders.ts';
import type { Embedder } from './embedders.ts';
import { errorText, ProviderError } from './errors.ts';
import { createLogger, isAuthorized, jsonResponse } from './http.ts';

/** Texts per request: one provider batch. */
export const MAX_QUERY_TEXTS = 32;
/** Characters per text (gte-small reads about 512 tokens). */
export const MAX_QUERY_TEXT_CHARS = 4_000;

const EmbedQueryRequestSchema = z.strictObject({
  texts: z
    .array(z.string().min(1, 'a text is empty').max(MAX_QUERY_TEXT_CHARS, `a text is longer than ${MAX_QUERY_TEXT_CHARS} characters`))
    .min(1, 'texts is empty')
    .max(MAX_QUERY_TEXTS, `texts holds more than ${MAX_QUERY_TEXTS} texts`),
  /** What the documents carry in `document_embeddings.model`, e.g. `gte-small` or `hash:v1-384`. */
  model: z.string().min(1, 'model is empty').max(200),
  dimension: z.number().int('dimension must be a whole number').min(1).max(16_000),
});

/**
 * The codes of a provider failure: `ProviderUnavailable` (503) may pass on a retry, `ProviderRefused`
 * (502) will fail again for the same texts (a text the provider cannot embed, a wrong model name),
 * so the worker's client does not retry it; a 502 without this code is a gateway's, worth a retry.
 */
export const ProviderErrorCodes = { unavailable: 'ProviderUnavailable', refused: 'ProviderRefused' } as const;

/** `text` with every non-empty secret replaced by `[redacted]`. */
function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret === '' ? out : out.split(secret).join('[redacted]')), text);
}

/** What the handler needs; tests pass their own embedder and log sink. */
export interface EmbedQueryHandlerOptions {
  readonly loadConfig: () => EmbedQueryConfig;
  readonly createEmbedder?: (config: EmbedQueryConfig) => Embedder;
  readonly write?: (line: string) => void;
}

/** The first problem of a request body, as `field: message`. */
function problemOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` : 'invalid request';
}

/**
 * The request pipeline of embed-query: request id, settings (once), bearer key (401), POST only
 * (405), body checked (400), model and dimension matched against the embedder (409), then one
 * provider call (200 with the vectors; a provider failure 503 when worth retrying, else 502).
 */
export function createEmbedQueryHandler(options: EmbedQueryHandlerOptions): (request: Request) => Promise<Response> {
  let config: EmbedQueryConfig | undefined;
  let embedder: Embedder | undefined;
  return async function handle(request: Request): Promise<Response> {
    const requestId = request.headers.get('x-request-id') ?? crypto.randomUUID();
    const log = createLogger('embed-query', requestId, options.write);
    const headers = { 'x-request-id': requestId };
    const refuse = (status: number, code: string, message: string, extra: Record<string, string> = {}): Response => {
      log.warn('refused', { status, code, message });
      return jsonResponse(status, { error: { code, message }, requestId }, { ...headers, ...extra });
    };
    try {
      config ??= options.loadConfig();
      if (!(await isAuthorized(request.headers.get('authorization'), config.EMBED_QUERY_KEY))) return refuse(401, 'Unauthorized', 'missing or invalid Authorization bearer key');
      if (request.method !== 'POST') return refuse(405, 'MethodNotAllowed', 'use POST', { allow: 'POST' });
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return refuse(400, 'BadRequest', 'the body is not JSON');
      }
      const parsed = EmbedQueryRequestSchema.safeParse(body);
      if (!parsed.success) return refuse(400, 'BadRequest', problemOf(parsed.error));
      embedder ??= (options.createEmbedder ?? createEmbedder)(config);
      const { model, dimension, texts } = parsed.data;
      if (model !== embedder.model) return refuse(409, 'ModelMismatch', `this endpoint embeds with ${embedder.model}; the documents were embedded with ${model}`);
      if (dimension !== embedder.dimension) return refuse(409, 'DimensionMismatch', `this endpoint embeds ${embedder.dimension} dimensions; the index takes ${dimension}`);
      const started = Date.now();
      const embeddings = await embedder.embed(texts);
      log.info('embedded', { texts: texts.length, model, durationMs: Date.now() - started });
      return jsonResponse(200, { model: embedder.model, dimension: embedder.dimension, embeddings, requestId }, headers);
    } catch (error) {
      // The caller sees the provider's words, never a key an OpenAI-compatible endpoint echoed.
      const secrets = [config?.OPENAI_API_KEY ?? '', config?.EMBED_QUERY_KEY ?? ''];
      if (error instanceof ProviderError) {
        const answer = error.transient ? { status: 503, code: ProviderErrorCodes.unavailable } : { status: 502, code: ProviderErrorCodes.refused };
        log.error('provider failed', { status: answer.status, error: redact(errorText(error), secrets) });
        return jsonResponse(answer.status, { error: { code: answer.code, message: redact(error.message, secrets) }, requestId }, headers);
      }
      log.error('failed', { error: redact(errorText(error), secrets) });
      return jsonResponse(500, { error: { code: error instanceof Error ? error.name : 'Error', message: redact(error instanceof Error ? error.message : String(error), secrets) }, requestId }, headers);
    }
  };
}
