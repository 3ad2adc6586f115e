import type { Sql } from 'postgres';
import * as z from 'zod';
import { runQuery } from '../ledger';
import { isUuid } from './isUuid';

const IdRowSchema = z.object({ document_id: z.string() });

/** Which of these keys have an embedding row; a key that is not a uuid never has one. */
export async function existingDocumentIds(sql: Sql, keys: readonly string[]): Promise<Set<string>> {
  const uuids = keys.filter(isUuid);
  if (uuids.length === 0) return new Set();
  const rows = await runQuery(sql, 'existing_document_ids', (q) => q`select document_id::text as document_id from public.document_embeddings where document_id = any(${uuids}::uuid[])`);
  return new Set(rows.map((row) => IdRowSchema.parse(row).document_id));
}
