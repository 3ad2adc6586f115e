// Documents of several passages through the worker's chunks against the OSS Vectors emulator: a sync
// writes one vector per passage (`<doc>`, `<doc>#1`, ...) each with its passage's snippet, a shrink
// deletes the vectors past the new end, a gone document loses them all, a rebuild pages by whole
// documents, and verify finds a missing passage and an orphaned one and heals both.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { runChunk } from '../../ecs/jobs/runChunk';
import type { WorkerLedger } from '../../ecs/ledger';
import { ensureIndex } from '../../ecs/vectors';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { ChunkResult } from '../../shared/contracts';
import { oneChunkRun, startEmulatedWorld, workerWith } from '../helpers/workerChunks';
import type { EmulatedWorld } from '../helpers/workerChunks';

const BUCKET = 'passages-test';
const DOC = '0f0f0f0f-0000-4000-8000-000000000001';
const OTHERS = ['0f0f0f0f-0000-4000-8000-000000000002', '0f0f0f0f-0000-4000-8000-000000000003'];
let world: EmulatedWorld;
let sql: Sql;
let ledger: WorkerLedger;
let oss: OssVectorsClient;
let runs = 0;

/** Writes a document as these passages (its content is their concatenation), each with a vector of its own. */
async function writeDocument(id: string, passages: readonly string[]): Promise<void> {
  const content = passages.join('');
  await sql`insert into public.source_documents (id, content) values (${id}, ${content}) on conflict (id) do update set content = excluded.content`;
  const starts = passages.map((_, i) => passages.slice(0, i).join('').length);
  const whole = passages.length === 1;
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const [{ written } = { written: 0 }] = await sql<{ written: number }[]>`
    select count(*)::int as written from vector_sync.write_embeddings(
      ${passages.map(() => id)}::uuid[], ${passages.map(() => sha(content))}::text[], ${passages.map((_, i) => i)}::int[],
      ${passages.map((p) => (whole ? null : sha(p)))}::text[], ${starts}::int[], ${passages.map((p, i) => (i === passages.length - 1 ? null : p.length))}::int[], 'test',
      ${passages.map((_, i) => `[${Array.from({ length: 384 }, (__, d) => (d === i ? 1 : 0.01)).join(',')}]`)}::extensions.vector[], true)`;
  if (written !== 1) throw new Error(`document ${id} was not written (${written})`);
}

/** A run of one chunk on `indexName`, run to its end; its result. */
async function chunkOf(op: 'sync' | 'verify' | 'rebuild', indexName: string, ids?: readonly string[], rows = 500): Promise<ChunkResult> {
  runs += 1;
  const runId = await oneChunkRun(ledger, { tag: `pass${runs}`, op, indexName, ...(ids ? { ids } : {}), ...(op === 'verify' ? { params: { heal: true } } : {}) });
  const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: rows, INDEX_WRITE_QPS: 1000 });
  Object.assign(worker.config, { RECALL_SAMPLE: 0 });
  return (await runChunk(worker, runId, 0)) as ChunkResult;
}

async function keysHeld(indexName: string, keys: readonly string[]): Promise<string[]> {
  return (await oss.getVectors({ bucket: BUCKET, indexName, keys: [...keys] })).map((v) => v.key).sort();
}

const keysOf = (id: string, n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? id : `${id}#${i}`));

beforeAll(async () => {
  world = await startEmulatedWorld(BUCKET);
  ({ sql, ledger, oss } = world);
  await ensureIndex(oss, await ledger.registerIndex({ indexName: 'passv1', logicalName: 'pass', bucket: BUCKET, dimension: 384, metric: 'cosine' }));
  await ledger.activateIndex('passv1');
}, 60_000);

afterAll(async () => {
  await world.close();
});

describe('passages through the worker', () => {
  it('writes one vector per passage, each keyed by its number and carrying its own snippet', async () => {
    // Prepare
    await writeDocument(DOC, ['Harbours and cranes. ', 'Glaciers and ice. ', 'Orchards in bloom.']);
    // Act
    const result = await chunkOf('sync', 'passv1', [DOC]);
    // Assert
    expect(result).toMatchObject({ upserted: 1, vectorsWritten: 3 });
    const vectors = await oss.getVectors({ bucket: BUCKET, indexName: 'passv1', keys: keysOf(DOC, 3), returnMetadata: true });
    expect(vectors.map((v) => [v.key, v.metadata?.snippet])).toEqual([[DOC, 'Harbours and cranes.'], [`${DOC}#1`, 'Glaciers and ice.'], [`${DOC}#2`, 'Orchards in bloom.']]);
    const [state] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where index_name = 'passv1' and document_id = ${DOC}`;
    expect(state?.n).toBe(3);
    // A repeat writes nothing.
    expect(await chunkOf('sync', 'passv1', [DOC])).toMatchObject({ upserted: 0, skipped: 1 });
  });

  it('deletes the vectors past the end of a shrunk document, and every vector of a gone one', async () => {
    // Prepare
    await writeDocument(DOC, ['Harbours only.']);
    // Act
    const shrunk = await chunkOf('sync', 'passv1', [DOC]);
    // Assert
    expect(shrunk).toMatchObject({ upserted: 1, vectorsWritten: 1, vectorsDeleted: 2 });
    expect(await keysHeld('passv1', keysOf(DOC, 3))).toEqual([DOC]);
    // Prepare: another document of three passages, synced, then deleted
    await writeDocument(OTHERS[0]!, ['One. ', 'Two. ', 'Three.']);
    await chunkOf('sync', 'passv1', [OTHERS[0]!]);
    await sql`delete from public.source_documents where id = ${OTHERS[0]!}`;
    // Act
    const gone = await chunkOf('sync', 'passv1', [OTHERS[0]!]);
    // Assert
    expect(gone).toMatchObject({ deleted: 1, vectorsDeleted: 3 });
    expect(await keysHeld('passv1', keysOf(OTHERS[0]!, 3))).toEqual([]);
    const [state] = await sql<{ n: number }[]>`select count(*)::int as n from vector_sync.index_state where document_id = ${OTHERS[0]!}`;
    expect(state?.n).toBe(0);
  });

  it('finds a missing passage and an orphaned one, and heals both through the queue', async () => {
    // Prepare: a document of three passages in the index, its second deleted and a fourth added behind the pipeline's back
    await writeDocument(OTHERS[1]!, ['Alpha part. ', 'Beta part. ', 'Gamma part.']);
    await chunkOf('sync', 'passv1', [OTHERS[1]!]);
    await sql`select pgmq.purge_queue('vector_sync')`;
    await oss.deleteVectors({ bucket: BUCKET, indexName: 'passv1', keys: [`${OTHERS[1]!}#1`] });
    const [copy] = await oss.getVectors({ bucket: BUCKET, indexName: 'passv1', keys: [OTHERS[1]!], returnData: true });
    await oss.putVectors({ bucket: BUCKET, indexName: 'passv1', vectors: [{ key: `${OTHERS[1]!}#7`, data: copy?.data?.float32 ?? [] }] });
    // Act
    const verified = await chunkOf('verify', 'passv1');
    // Assert: counted in vectors, healed by queueing the document once
    expect(verified.drift).toMatchObject({ missing: 1, stale: 0, orphaned: 1 });
    expect([...(verified.drift?.examples ?? [])].sort()).toEqual([`${OTHERS[1]!}#1`, `${OTHERS[1]!}#7`]);
    expect(verified.healed).toBe(1);
    const queued = await sql<{ id: string }[]>`select message ->> 'id' as id from pgmq.q_vector_sync`;
    expect(queued.map((q) => q.id)).toEqual([OTHERS[1]!]);
    // Act: the sync the queue asks for
    const healed = await chunkOf('sync', 'passv1', [OTHERS[1]!]);
    // Assert: the missing passage written, the orphan deleted, nothing else
    expect(healed).toMatchObject({ upserted: 1, vectorsWritten: 1, vectorsDeleted: 1 });
    expect(await keysHeld('passv1', [...keysOf(OTHERS[1]!, 3), `${OTHERS[1]!}#7`])).toEqual(keysOf(OTHERS[1]!, 3).sort());
    expect((await chunkOf('verify', 'passv1')).drift).toMatchObject({ missing: 0, stale: 0, orphaned: 0 });
  });

  it('rebuilds in pages of whole documents, counting documents and vectors', async () => {
    // Prepare: two documents of three and one passages, pages of two rows
    await ensureIndex(oss, await ledger.registerIndex({ indexName: 'passv2', logicalName: 'pass', bucket: BUCKET, dimension: 384, metric: 'cosine' }));
    // Act
    const result = await chunkOf('rebuild', 'passv2', undefined, 2);
    // Assert
    expect(result).toMatchObject({ upserted: 2, vectorsWritten: 4, rejected: 0 });
    expect(await keysHeld('passv2', [...keysOf(DOC, 1), ...keysOf(OTHERS[1]!, 3)])).toEqual([...keysOf(DOC, 1), ...keysOf(OTHERS[1]!, 3)].sort());
    const [stats] = await sql<{ v: number; d: number }[]>`select total_vectors::int as v, total_documents::int as d from vector_sync.index_stats('passv2')`;
    expect(stats).toEqual({ v: 4, d: 2 });
  });
});
