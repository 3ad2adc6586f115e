// The check every worker benchmark makes before it reports a speed: the index holds exactly the
// source's keys, each with the source's content_hash, and a sample of vectors equals the source's
// embeddings. Read through the public API (ListVectors, GetVectors), not the ledger's own record.
import type { DatabaseClient } from '../../local/supabase';
import { scanVectors } from '../../shared/clients/oss-vectors';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';

/** What the check found; `correct` only when every count of a difference is zero. */
export interface IndexCheck {
  readonly correct: boolean;
  readonly sourceKeys: number;
  readonly indexKeys: number;
  readonly missing: number;
  readonly extra: number;
  readonly wrongHash: number;
  readonly sampled: number;
  readonly wrongVectors: number;
}

/** Vectors compared value by value (GetVectors with data). */
const SAMPLE = 50;

/** float4 as Postgres prints it and float32 as the index returns it agree to float32 precision. */
function sameVector(source: readonly number[], stored: readonly number[]): boolean {
  return source.length === stored.length && source.every((value, i) => Math.fround(value) === Math.fround(stored[i] ?? Number.NaN));
}

function parseVector(text: string): number[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number')) throw new Error('an embedding is not a pgvector array');
  return value;
}

/** Compares the index `indexName` of `bucket` with `public.document_embeddings`. */
export async function checkIndexAgainstSource(input: { db: DatabaseClient; oss: OssVectorsClient; bucket: string; indexName: string }): Promise<IndexCheck> {
  const held = new Map<string, unknown>();
  for await (const vector of scanVectors(input.oss, { bucket: input.bucket, indexName: input.indexName, segmentCount: 8, maxResults: 1000, returnMetadata: true })) {
    held.set(vector.key, vector.metadata?.content_hash);
  }
  const indexKeys = held.size;
  const source = (await input.db.query<{ document_id: string; content_hash: string }>("select case when e.passage_no = 0 then e.document_id::text else e.document_id::text || '#' || e.passage_no end as document_id, e.content_hash from public.document_embeddings as e")).rows;
  let missing = 0;
  let wrongHash = 0;
  for (const row of source) {
    if (!held.has(row.document_id)) missing += 1;
    else if (held.get(row.document_id) !== row.content_hash) wrongHash += 1;
    held.delete(row.document_id);
  }
  const sample = (await input.db.query<{ document_id: string; embedding: string }>(`select case when e.passage_no = 0 then e.document_id::text else e.document_id::text || '#' || e.passage_no end as document_id, e.embedding::text as embedding from public.document_embeddings as e order by random() limit ${SAMPLE}`)).rows;
  let wrongVectors = 0;
  for (let i = 0; i < sample.length; i += 100) {
    const slice = sample.slice(i, i + 100);
    const stored = new Map((await input.oss.getVectors({ bucket: input.bucket, indexName: input.indexName, keys: slice.map((row) => row.document_id), returnData: true })).map((vector) => [vector.key, vector.data?.float32 ?? []]));
    for (const row of slice) if (!sameVector(parseVector(row.embedding), stored.get(row.document_id) ?? [])) wrongVectors += 1;
  }
  const extra = held.size;
  return { correct: missing + extra + wrongHash + wrongVectors === 0, sourceKeys: source.length, indexKeys, missing, extra, wrongHash, sampled: sample.length, wrongVectors };
}
