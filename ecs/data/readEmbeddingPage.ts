import type { Sql } from 'postgres';
import { runQuery } from '../ledger';
import type { EmbeddingRow } from './embedding-row-schema';
import { parseEmbeddingRows } from './parseEmbeddingRows';

/** One keyset page of a key range: rows with `after < id <= through` (null = open end), in id order. */
export interface EmbeddingPageInput {
  readonly after: string | null;
  readonly through: string | null;
  readonly limit: number;
  /** Read the vector and metadata too (verify needs only ids and hashes). */
  readonly withVectors: boolean;
}

/** Reads one page; the caller passes the last id it saw as the next `after`. */
export async function readEmbeddingPage(sql: Sql, input: EmbeddingPageInput): Promise<EmbeddingRow[]> {
  const { after, through, limit } = input;
  const rows = await runQuery(sql, 'read_embedding_page', (q) => q`
    select e.document_id::text as document_id, e.content_hash,
      ${input.withVectors ? q`e.embedding::text` : q`'[]'`} as embedding,
      ${input.withVectors ? q`d.metadata` : q`'{}'::jsonb`} as metadata
    from public.document_embeddings as e
    join public.source_documents as d on d.id = e.document_id
    where (${after}::uuid is null or e.document_id > ${after}::uuid)
      and (${through}::uuid is null or e.document_id <= ${through}::uuid)
    order by e.document_id
    limit ${limit}`);
  return parseEmbeddingRows(rows);
}
