import { ConfigError, describeError, ProviderError } from '../errors.ts';
import type { Embedder } from './types.ts';

interface AiSession {
  run(input: string, options: { mean_pool: boolean; normalize: boolean }): Promise<unknown>;
}
interface SupabaseGlobal {
  ai?: { Session: new (model: string) => AiSession };
}

/** gte-small's output size. */
export const GTE_SMALL_DIMENSION = 384;

/** Supabase's built-in `gte-small` (mean-pooled, normalised); exists only inside Supabase's edge runtime. */
export class SupabaseAiEmbedder implements Embedder {
  readonly model = 'gte-small';
  readonly dimension = GTE_SMALL_DIMENSION;
  private readonly session: AiSession;

  constructor(runtime: unknown = (globalThis as { Supabase?: unknown }).Supabase) {
    const Session = (runtime as SupabaseGlobal | undefined)?.ai?.Session;
    if (typeof Session !== 'function') {
      throw new ConfigError('EMBEDDING_PROVIDER=gte-small needs Supabase\'s edge runtime (globalThis.Supabase.ai is absent); use openai or hash elsewhere');
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
        throw new ProviderError(`gte-small failed: ${describeError(error)}`, { transient: true, cause: error });
      }
      const vector = Array.from(output as ArrayLike<number>);
      if (vector.length !== this.dimension) throw new ProviderError(`gte-small returned ${vector.length} dimensions`, { transient: false });
      vectors.push(vector);
    }
    return vectors;
  }
}
