import { EmbeddingRowError } from './errors';
import { EmbeddingRowSchema } from './embedding-row-schema';
import type { EmbeddingRow } from './embedding-row-schema';

/** Checks rows from Postgres; a bad row fails the page with the document id in the message. */
export function parseEmbeddingRows(rows: readonly Record<string, unknown>[]): EmbeddingRow[] {
  return rows.map((row) => {
    const parsed = EmbeddingRowSchema.safeParse(row);
    if (!parsed.success) throw new EmbeddingRowError(`embedding row ${String(row.document_id)} is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'}`, { cause: parsed.error, details: { documentId: String(row.document_id) } });
    return parsed.data;
  });
}
