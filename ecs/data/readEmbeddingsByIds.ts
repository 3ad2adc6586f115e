import type { Sql } from 'postgres';
import { runQuery } from '../ledger';
import type { EmbeddingRow } from './embedding-row-schema';
import { parseEmbeddingRows } from './parseEmbeddingRows';

/** The current embedding rows of these document ids (uuids only; unknown ids are left out). */
export async function readEmbeddingsByIds(sql: Sql, uuids: readonly string[]): Promise<EmbeddingRow[]> {
  if (uuids.length === 0) return [];
  const rows = await runQuery(sql, 'read_embeddings', (q) => q`
    select e.document_id::text as document_id, e.content_hash, e.embedding::text as embedding, d.metadata
    from public.document_embeddings as e
    join public.source_documents as d on d.id = e.document_id
    where e.document_id = any(${[...uuids]}::uuid[])
    order by e.document_id`);
  return parseEmbeddingRows(rows);
}
