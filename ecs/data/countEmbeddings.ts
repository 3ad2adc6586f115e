import type { Sql } from 'postgres';
import { runQuery } from '../ledger';

/** Rows in `document_embeddings` (one count at the end of a rebuild, not per page). */
export async function countEmbeddings(sql: Sql): Promise<number> {
  const rows = await runQuery(sql, 'count_embeddings', (q) => q`select count(*) as n from public.document_embeddings`);
  return Number(rows[0]?.n ?? 0);
}
