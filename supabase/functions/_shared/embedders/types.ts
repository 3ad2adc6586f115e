/** A source of vectors for texts. */
export interface Embedder {
  /** Stored in `document_embeddings.model`: `<provider>:<model>`, e.g. `hash:v1-384`. */
  readonly model: string;
  readonly dimension: number;
  /** One vector per text, in input order; throws ProviderError for the whole batch. */
  embed(texts: readonly string[]): Promise<number[][]>;
}
