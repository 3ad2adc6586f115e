// Writes that land after their rows changed. A chunk reads a page, then writes it a moment later
// (or, behind a hung call and its retries, much later); a sync of an edit can write the new version
// in between, and the late write then puts the old one back over it. The chaos suite ended once
// with two stale vectors so (seed 20261217 in CI). The write is recorded against its read
// (vector_sync.record_index_writes): the vector is held as unknown and its document queued, and
// the sync of that message writes the current version again. Against the OSS Vectors emulator.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noCounts } from '../../shared/contracts';
import type { IdsSelector, RangeSelector } from '../../shared/contracts';
import type { IndexRow } from '../../shared/ledger';
import { rebuildChunk, syncChunk } from '../../ecs/jobs/write';
import { ensureIndex } from '../../ecs/vectors';
import { writeQuotaFor } from '../../ecs/writeQuota';
import { manyIds } from '../helpers/fixtures';
import { runningRebuildChunk, runningSyncChunk, seedEmbeddedDocuments, startEmulatedWorld, workerWith } from '../helpers/workerChunks';
import type { EmulatedWorld } from '../helpers/workerChunks';

let world: EmulatedWorld;

beforeAll(async () => {
  world = await startEmulatedWorld('vectors');
}, 60_000);

afterAll(async () => {
  await world?.close();
});

/** Registers `<tag>v1` (active, its OSS index made) and `<tag>v2` (registered); answers both. */
async function generations(tag: string): Promise<[IndexRow, IndexRow]> {
  const { ledger, oss } = world;
  await ledger.registerIndex({ indexName: `${tag}v1`, logicalName: tag, bucket: 'vectors', dimension: 384, metric: 'cosine' });
  await ledger.activateIndex(`${tag}v1`);
  await ledger.registerIndex({ indexName: `${tag}v2`, logicalName: tag, bucket: 'vectors', dimension: 384, metric: 'cosine' });
  const [v1, v2] = [await ledger.index(`${tag}v1`), await ledger.index(`${tag}v2`)];
  if (!v1 || !v2) throw new Error('generations not registered');
  await ensureIndex(oss, v1);
  return [v1, v2];
}

/** Edits the document: new content and a new embedding; the edit's own message is taken off the queue (the test runs its sync). */
async function edit(id: string, content: string): Promise<string> {
  const [row] = await world.sql<{ hash: string }[]>`
    with d as (update public.source_documents set content = ${content} where id = ${id}::uuid returning id, content)
    update public.document_embeddings as e set content_hash = encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), embedding = array_fill(0.2::real, array[384])::extensions.vector
    from d where e.document_id = d.id returning e.content_hash as hash`;
  await world.sql`select pgmq.purge_queue('vector_sync')`;
  if (!row) throw new Error(`${id} has no embedding`);
  return row.hash;
}

async function queued(): Promise<string[]> {
  return (await world.sql<{ id: string }[]>`select message ->> 'id' as id from pgmq.q_vector_sync order by msg_id`).map((row) => row.id);
}

async function indexed(indexName: string, id: string): Promise<unknown> {
  const [vector] = await world.oss.getVectors({ bucket: 'vectors', indexName, keys: [id], returnMetadata: true });
  return vector?.metadata?.content_hash;
}

async function heldHash(indexName: string, id: string): Promise<string | undefined> {
  const [row] = await world.sql<{ hash: string }[]>`select content_hash as hash from vector_sync.index_state where index_name = ${indexName} and document_id = ${id}`;
  return row?.hash;
}

/** Runs a sync chunk of `ids` on the logical index (its own run) with the real client. */
async function sync(tag: string, index: IndexRow, ids: readonly string[]): Promise<void> {
  const { run, chunk } = await runningSyncChunk(world.ledger, tag, index.index_name, ids);
  const worker = workerWith(world.ledger, world.oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
  await syncChunk({ worker, run, chunk, selector: chunk.selector as IdsSelector, index, quota: writeQuotaFor(worker, index.logical_name) }, noCounts());
}

describe('a write that lands after its rows changed', () => {
  it('is held as unknown and queued when a rebuild writes a page read before an edit a sync wrote meanwhile', async () => {
    // Prepare: latev1 active, latev2 being rebuilt; one document
    const [v1, v2] = await generations('late');
    const [id = ''] = manyIds(1).map((value) => value.replace(/^00000000/u, '1a7e1a7e'));
    await seedEmbeddedDocuments(world.sql, [id]);
    const { run, chunk, index } = await runningRebuildChunk(world.ledger, 'late-rebuild', v2.index_name, { after: null, through: null } as unknown as { after: string; through: string });
    // The rebuild's write is held until the document is edited and that edit's sync has written both generations.
    const original = world.oss.putPreparedVectors.bind(world.oss);
    let newHash = '';
    const put = vi.spyOn(world.oss, 'putPreparedVectors').mockImplementation(async (input) => {
      if (input.indexName === v2.index_name && newHash === '') {
        newHash = await edit(id, 'edited while the rebuild wrote');
        await sync('late-edit', v1, [id]);
        expect(await indexed(v2.index_name, id)).toBe(newHash);
      }
      return original(input);
    });
    const worker = workerWith(world.ledger, world.oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000, INDEX_WRITE_VECTORS_PER_SECOND: 1_000_000 });
    // Act
    await rebuildChunk({ worker, run, chunk, selector: chunk.selector as RangeSelector, index, quota: writeQuotaFor(worker, 'late') }, noCounts());
    put.mockRestore();
    // Assert: the index got the old version last; the ledger knows it does not know, and the document is queued
    expect(await indexed(v2.index_name, id)).not.toBe(newHash);
    expect(await heldHash(v2.index_name, id)).toBe('0'.repeat(64));
    expect(await queued()).toEqual([id]);
    // A sync decides from the active generation, which holds the edit: while the rebuild runs, the
    // end of the rebuild queues the generation's unknown vector again (even when that message was
    // consumed), and the sync after the switch-over writes the current version into it.
    await world.sql`select pgmq.purge_queue('vector_sync')`;
    expect(await world.ledger.queueMissingFrom(v2.index_name, run.run_id)).toBe(1);
    await world.ledger.activateIndex(v2.index_name);
    await sync('late-requeued', v2, [id]);
    expect(await indexed(v2.index_name, id)).toBe(newHash);
    expect(await heldHash(v2.index_name, id)).toBe(newHash);
  }, 60_000);

  it('is held as unknown and queued when a sync held up by OSS writes after a later sync of an edit', async () => {
    // Prepare: slowv1 active; one document
    const [v1] = await generations('slow');
    const [id = ''] = manyIds(1).map((value) => value.replace(/^00000000/u, '510e510e'));
    await seedEmbeddedDocuments(world.sql, [id]);
    await world.sql`select pgmq.purge_queue('vector_sync')`;
    const original = world.oss.putPreparedVectors.bind(world.oss);
    let newHash = '';
    const put = vi.spyOn(world.oss, 'putPreparedVectors').mockImplementation(async (input) => {
      if (newHash === '') {
        // The first sync's call hangs while the document is edited and the edit's sync writes.
        newHash = await edit(id, 'edited while the first sync hung');
        await sync('slow-edit', v1, [id]);
      }
      return original(input);
    });
    // Act
    await sync('slow-first', v1, [id]);
    put.mockRestore();
    // Assert
    expect(await indexed(v1.index_name, id)).not.toBe(newHash);
    expect(await heldHash(v1.index_name, id)).toBe('0'.repeat(64));
    expect(await queued()).toEqual([id]);
    await world.sql`select pgmq.purge_queue('vector_sync')`;
    await sync('slow-requeued', v1, [id]);
    expect(await indexed(v1.index_name, id)).toBe(newHash);
    expect(await heldHash(v1.index_name, id)).toBe(newHash);
    // A write whose rows did not change queues nothing (versions keep their microseconds on the way)
    expect(await queued()).toEqual([]);
  }, 60_000);
});
