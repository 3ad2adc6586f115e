import type { Sql } from 'postgres';

/** What one chunk covers: explicit ids (sync) or a key range `(after, through]` (rebuild, verify). */
export type ChunkSelector = { readonly ids: readonly string[] } | { readonly after: string | null; readonly through: string | null };

/** How big chunks get. */
export interface ChunkSizes {
  /** Ids per chunk of a sync run. */
  readonly idsPerChunk: number;
  /** Embedding rows per key range of a rebuild or verify run. */
  readonly rowsPerRange: number;
}

/**
 * The chunks of a run. A sync run's ids are cut into lists. A rebuild or verify run is cut into
 * key ranges over the sidecar: only every `rowsPerRange`-th id comes back from the database, so a
 * million-row run costs a few hundred boundaries here, never the rows themselves. The first range
 * is open below and the last open above, so ids added meanwhile (and, for verify, keys that exist
 * only in the index) still fall in a chunk.
 */
export async function planChunks(sql: Sql, run: { readonly run_id: string; readonly op: string }, sizes: ChunkSizes): Promise<ChunkSelector[]> {
  if (run.op === 'sync') {
    const rows = await sql<{ document_id: string }[]>`select document_id from vector_sync.run_items where run_id = ${run.run_id} order by document_id`;
    const chunks: ChunkSelector[] = [];
    for (let i = 0; i < rows.length; i += sizes.idsPerChunk) chunks.push({ ids: rows.slice(i, i + sizes.idsPerChunk).map((row) => row.document_id) });
    return chunks;
  }
  const boundaries = await sql<{ document_id: string }[]>`
    select document_id::text as document_id
    from (select document_id, row_number() over (order by document_id) as n from public.document_embeddings) as numbered
    where n % ${sizes.rowsPerRange} = 0
    order by document_id`;
  const ranges: ChunkSelector[] = [];
  let after: string | null = null;
  for (const { document_id: through } of boundaries) {
    ranges.push({ after, through });
    after = through;
  }
  ranges.push({ after, through: null });
  return ranges;
}
