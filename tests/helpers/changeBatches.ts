// A claim-check change batch written straight into the ledger, as a publish cycle would have
// claimed it, for tests that start at validate.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import type { ChangesPublishedData } from '../../shared/contracts';

/** Records a change batch of `ids` for `logicalName` and answers the data of its event. */
export async function recordChangeBatch(sql: Sql, logicalName: string, ids: readonly string[], batchId: string = randomUUID()): Promise<ChangesPublishedData> {
  const distinct = [...new Set(ids)];
  await sql`insert into vector_sync.change_batches (batch_id, logical_name, id_count) values (${batchId}, ${logicalName}, ${distinct.length})`;
  await sql`insert into vector_sync.change_batch_items (batch_id, document_id, changed_at) select ${batchId}, unnest(${distinct}::text[]), now()`;
  return { batchId, index: logicalName, count: distinct.length };
}
