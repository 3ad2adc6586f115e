// The embedder of search texts, as the worker sees it: the embed-query endpoint beside the
// Supabase edge functions, asked for the model and dimension the documents were embedded with.
import { PermanentError } from '../shared/errors';

/** What the documents were embedded with; the endpoint refuses a query for anything else. */
export interface ExpectedModel {
  /** `document_embeddings.model`, e.g. `hash:v1-384` or `gte-small`. */
  readonly model: string;
  readonly dimension: number;
}

/** Embeds query texts with the documents' provider and model. */
export interface QueryEmbedder {
  /** One vector per text, in input order; EmbeddingModelMismatchError when the endpoint embeds with another model or dimension. */
  embed(texts: readonly string[], expected: ExpectedModel): Promise<number[][]>;
}

/** The endpoint embeds with another model or dimension than the documents were embedded with. */
export class EmbeddingModelMismatchError extends PermanentError {}
