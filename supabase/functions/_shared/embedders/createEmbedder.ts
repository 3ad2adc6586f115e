import type { EmbedConfig } from '../embedConfig.ts';
import { HashEmbedder } from './HashEmbedder.ts';
import { OpenAiEmbedder } from './OpenAiEmbedder.ts';
import { SupabaseAiEmbedder } from './SupabaseAiEmbedder.ts';
import type { Embedder } from './types.ts';

/** The embedder EMBEDDING_PROVIDER names. */
export function createEmbedder(config: EmbedConfig): Embedder {
  switch (config.EMBEDDING_PROVIDER) {
    case 'hash':
      return new HashEmbedder(config.EMBEDDING_DIMENSION);
    case 'openai':
      return new OpenAiEmbedder({
        baseUrl: config.OPENAI_BASE_URL,
        apiKey: config.OPENAI_API_KEY ?? '',
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
