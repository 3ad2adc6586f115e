// A verify run against the OSS Vectors emulator and Postgres with drift seeded behind the
// pipeline's back: `heal: false` reports it and changes nothing, `heal: true` queues it, and chunk
// 0 measures recall@10 over a sample (exactly 1 on an index that matches, below 1 with drift).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { runChunk } from '../../ecs/jobs/runChunk';
import type { WorkerLedger } from '../../ecs/ledger';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { oneChunkRun, startEmulatedWorld, workerWith } from '../helpers/workerChunks';
import type { EmulatedWorld } from '../helpers/workerChunks';

const BUCKET = 'quality-test';
let world: EmulatedWorld;
let sql: Sql;
let ledger: WorkerLedger;
let oss: OssVectorsClient;

/** A unit vector of 384 values from a seed (deterministic, distinct per seed). */
function vectorOf(seed: number): number[] {
  let state = seed * 2654435761;
  const values = Array.from({ length: 384 }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
  return values.map((v) => v / norm);
}

/** A uuid derived from text: ids spread over the whole key space, as real (random) document ids are. */
function idOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-9${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `count` documents with distinct embeddings, alone in Postgres (the exact search reads the whole
 * sidecar), and the same vectors in a new active generation `<tag>v1`.
 */
async function seedIndex(tag: string, count: number): Promise<string[]> {
  await sql`truncate public.source_documents cascade`;
  await ledger.registerIndex({ indexName: `${tag}v1`, logicalName: tag, bucket: BUCKET, dimension: 384, metric: 'cosine' });
  await ledger.activateIndex(`${tag}v1`);
  await oss.putVectorIndex({ bucket: BUCKET, indexName: `${tag}v1`, dimension: 384, distanceMetric: 'cosine' });
  const ids = Array.from({ length: count }, (_, i) => idOf(`${tag}-${i}`));
  const vectors = ids.map((_, i) => vectorOf(i + 1));
  await sql`insert into public.source_documents (id, content) select unnest(${ids}::uuid[]), 'document'`;
  for (const [i, id] of ids.entries()) {
    await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding) values (${id}, ${'a'.repeat(63) + String(i % 10)}, 'test', ${`[${vectors[i]!.join(',')}]`}::extensions.vector)`;
  }
  await oss.putVectors({ bucket: BUCKET, indexName: `${tag}v1`, vectors: ids.map((id, i) => ({ key: id, data: vectors[i]!, metadata: { content_hash: 'a'.repeat(63) + String(i % 10), snippet: 'document' } })) });
  // The inserts queued the documents for a sync; the index holds them already.
  await sql`select pgmq.purge_queue('vector_sync')`;
  return ids;
}

/** A verify run of the whole index with one chunk, run to its end by the worker. */
async function verify(tag: string, heal: boolean) {
  const runId = await oneChunkRun(ledger, { tag: `${tag}verify${String(heal)}`, op: 'verify', indexName: `${tag}v1`, params: { heal } });
  const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000 });
  Object.assign(worker.config, { RECALL_SAMPLE: 20, RECALL_K: 10, QUERY_TOPK_MAX: 30 });
  return runChunk(worker, runId, 0);
}

const queued = async (ids: readonly string[]) => Number((await sql`select count(*) as n from pgmq.q_vector_sync where message ->> 'id' = any(${[...ids]}::text[])`)[0]?.n);

beforeAll(async () => {
  world = await startEmulatedWorld(BUCKET);
  ({ sql, ledger, oss } = world);
}, 60_000);

afterAll(async () => {
  await world.close();
});

describe('a verify run', () => {
  it('measures recall@10 of exactly 1 on an index that matches Postgres', async () => {
    // Prepare
    await seedIndex('clean', 40);
    // Act
    const result = await verify('clean', true);
    // Assert
    expect(result).toMatchObject({ drift: { missing: 0, stale: 0, orphaned: 0 }, healed: 0, recall: { k: 10, recall: 1, differing: [] } });
    expect((result as { recall: { sampled: number } }).recall.sampled).toBeGreaterThan(5);
  }, 60_000);

  it('does not count a vector OSS refused as drift or as a search miss', async () => {
    // Prepare: one document's vector was refused, so the index never held it
    const ids = await seedIndex('refused', 40);
    const refused = ids[5]!;
    await oss.deleteVectors({ bucket: BUCKET, indexName: 'refusedv1', keys: [refused] });
    const run = await ledger.openRun({ sourceEventId: 'evt-refused-sync', op: 'sync', indexName: 'refusedv1', ids: [refused] });
    await sql`insert into vector_sync.rejections (run_id, document_id, reason, detail) values (${run.run_id}, ${refused}, 'MetadataTooLarge', 'test')`;
    // Act
    const result = await verify('refused', false);
    // Assert: rejected, not missing; and every sampled query finds the exact neighbours the index can hold
    expect(result).toMatchObject({ drift: { missing: 0, stale: 0, orphaned: 0, rejected: 1 }, recall: { recall: 1, differing: [] } });
  }, 60_000);

  it('with heal: false reports the drift, leaves it in place and shows recall below 1', async () => {
    // Prepare: two vectors gone from OSS, one stale (another content hash), one orphan key
    const ids = await seedIndex('drift', 40);
    const [gone1, gone2, stale] = [ids[3]!, ids[17]!, ids[25]!];
    await oss.deleteVectors({ bucket: BUCKET, indexName: 'driftv1', keys: [gone1, gone2] });
    await oss.putVectors({ bucket: BUCKET, indexName: 'driftv1', vectors: [{ key: stale, data: vectorOf(999), metadata: { content_hash: 'f'.repeat(64) } }, { key: idOf('orphan'), data: vectorOf(998) }] });
    // ...and one whose metadata changed in Postgres without reaching the index (its queue message dropped).
    await sql`update public.source_documents set metadata = '{"lang": "de"}' where id = ${ids[30]!}`;
    await sql`select pgmq.purge_queue('vector_sync')`;
    const stateBefore = await sql`select document_id, content_hash from vector_sync.index_state where index_name = 'driftv1' order by document_id`;
    // Act
    const result = await verify('drift', false);
    // Assert: reported, nothing healed, nothing queued, OSS and index_state as they were
    expect(result).toMatchObject({ drift: { missing: 2, stale: 2, orphaned: 1 }, healed: 0, healSkipped: true });
    const recall = (result as { recall: { recall: number; differing: unknown[] } }).recall;
    expect(recall.recall).toBeLessThan(1);
    expect(recall.differing.length).toBeGreaterThan(0);
    expect(await queued([gone1, gone2, stale])).toBe(0);
    expect(await oss.getVectors({ bucket: BUCKET, indexName: 'driftv1', keys: [gone1, gone2] })).toEqual([]);
    expect(await sql`select document_id, content_hash from vector_sync.index_state where index_name = 'driftv1' order by document_id`).toEqual(stateBefore);
  }, 60_000);

  it('with heal on queues the drifted documents for a sync', async () => {
    // Act: the same index, verified again with the default
    const result = await verify('drift', true);
    // Assert
    expect(result).toMatchObject({ drift: { missing: 2, stale: 2, orphaned: 1 }, healed: 5 });
    expect(result).not.toHaveProperty('healSkipped');
    expect(await queued([3, 17, 25].map((i) => idOf(`drift-${i}`)))).toBe(3);
  }, 60_000);
});
