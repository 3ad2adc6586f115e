/** One generated document, in the shape of a `public.source_documents` row. */
export interface SampleDocument {
  readonly content: string;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

/** How `loadCorpus` inserts. */
export interface LoadCorpusOptions {
  /** Rows per multi-row insert; default 500. */
  readonly batchSize?: number;
  /** Called after each batch with the number of rows inserted so far. */
  readonly onProgress?: (loaded: number) => void;
}
