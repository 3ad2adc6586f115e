/** What one embed-documents call did. Messages for `read`, `retried`, `parked`; documents otherwise. */
export interface EmbedCounts {
  read: number;
  embedded: number;
  /** Content and model already match the sidecar (or the content is blank): nothing to do. */
  skipped: number;
  /** The content changed while it was being embedded: the write was refused, a newer job exists. */
  stale: number;
  /** The document is gone. */
  missing: number;
  retried: number;
  parked: number;
}

/** Counts at zero. */
export function emptyEmbedCounts(): EmbedCounts {
  return { read: 0, embedded: 0, skipped: 0, stale: 0, missing: 0, retried: 0, parked: 0 };
}

/** Adds `more` into `into`. */
export function addEmbedCounts(into: EmbedCounts, more: Partial<EmbedCounts>): void {
  for (const key of Object.keys(more) as (keyof EmbedCounts)[]) into[key] += more[key] ?? 0;
}
