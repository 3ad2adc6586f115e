// How the local cloud wires embed-query: the edge functions that embed (documents and queries) read
// one provider's settings, and the worker's settings file names the endpoint and its own key, so a
// search text is embedded into the same space as the documents it is compared with.
import type { LocalKeys } from './localKeys';

/** The local cloud's embedder: the offline hash provider, which needs no network and no model. */
const LOCAL_EMBEDDING_PROVIDER = 'hash';

/** The settings embed-documents and embed-query both get: their bearer keys and the same embedder. */
export function localEmbedderSettings(keys: Pick<LocalKeys, 'functionKey' | 'embedQueryKey'>): Record<string, string> {
  return { VECTOR_SYNC_FUNCTION_KEY: keys.functionKey, EMBED_QUERY_KEY: keys.embedQueryKey, EMBEDDING_PROVIDER: LOCAL_EMBEDDING_PROVIDER };
}

/** The worker's settings for embed-query on the local Supabase whose functions answer at `functionsUrl`. */
export function localEmbedQuerySettings(functionsUrl: string, keys: Pick<LocalKeys, 'embedQueryKey'>): { EMBED_QUERY_URL: string; EMBED_QUERY_KEY: string } {
  return { EMBED_QUERY_URL: `${functionsUrl}/embed-query`, EMBED_QUERY_KEY: keys.embedQueryKey };
}
