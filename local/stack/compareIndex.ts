import type { Sql } from 'postgres';
import { OssVectorsClient, scanVectors } from '../../shared/clients/oss-vectors';

/** How the vectors in an index differ from the embeddings in Postgres. */
export interface IndexComparison {
  readonly indexName: string;
  readonly indexed: number;
  readonly embeddings: number;
  readonly missing: readonly string[];
  readonly stale: readonly string[];
  readonly orphaned: readonly string[];
}

/**
 * An independent check for tests and the main job: lists every vector of the active generation
 * (ListVectors, 4 segments, keys and metadata) and compares keys and `content_hash` with the
 * sidecar table. It holds every key in memory: a tool for test-sized indexes, not for production. Vectors rejected in the latest run of a document are expected to be absent.
 */
export async function compareIndex(sql: Sql, input: { logicalIndex: string; bucket: string; endpoint: string; region: string; accountId: string; keys: { accessKeyId: string; accessKeySecret: string } }): Promise<IndexComparison> {
  const [active] = await sql<{ index_name: string | null }[]>`select index_name from vector_sync.active_index(${input.logicalIndex})`;
  const indexName = active?.index_name;
  if (!indexName) throw new Error(`index ${input.logicalIndex} has no active generation`);
  const client = new OssVectorsClient({ region: input.region, accountId: input.accountId, credentials: input.keys, endpoint: input.endpoint });
  const indexed = new Map<string, string>();
  for await (const vector of scanVectors(client, { bucket: input.bucket, indexName, segmentCount: 4, returnMetadata: true })) {
    const hash = vector.metadata?.content_hash;
    indexed.set(vector.key, typeof hash === 'string' ? hash : '');
  }
  const indexedCount = indexed.size;
  const rows = await sql<{ id: string; hash: string; rejected: boolean }[]>`
    select case when e.passage_no = 0 then e.document_id::text else e.document_id::text || '#' || e.passage_no end as id, e.content_hash as hash,
           exists (select 1 from vector_sync.rejections as j where j.document_id = e.document_id::text) as rejected
    from public.document_embeddings as e`;
  const missing: string[] = [];
  const stale: string[] = [];
  for (const row of rows) {
    const hash = indexed.get(row.id);
    if (hash === undefined) {
      if (!row.rejected) missing.push(row.id);
    } else if (hash !== row.hash) stale.push(row.id);
    indexed.delete(row.id);
  }
  return { indexName, indexed: indexedCount, embeddings: rows.length, missing, stale, orphaned: [...indexed.keys()] };
}
