// Metadata on its way to the index, through sync chunks against the OSS Vectors emulator: a
// metadata-only change is written again and a repeat is skipped; each vector carries a snippet as
// non-filterable metadata (a filter on it is refused); a document whose metadata does not fit is
// rejected with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import { runChunk } from '../../ecs/jobs/runChunk';
import type { WorkerLedger } from '../../ecs/ledger';
import { ensureIndex } from '../../ecs/vectors';
import type { OssVectorsClient} from '../../shared/clients/oss-vectors';
import { OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import { oneChunkRun, startEmulatedWorld, workerWith } from '../helpers/workerChunks';
import type { EmulatedWorld } from '../helpers/workerChunks';

const BUCKET = 'metadata-test';
const IDS = ['0e0e0e0e-0000-4000-8000-000000000001', '0e0e0e0e-0000-4000-8000-000000000002', '0e0e0e0e-0000-4000-8000-000000000003'];
/** Nine keys of its own: with content_hash and snippet, one more than the 10 a vector may carry. */
const NINE_KEYS = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
let world: EmulatedWorld;
let sql: Sql;
let ledger: WorkerLedger;
let oss: OssVectorsClient;
let runs = 0;

/** A sync run of the ids with one chunk, run to its end; its result. */
async function sync(ids: readonly string[]) {
  runs += 1;
  const runId = await oneChunkRun(ledger, { tag: `meta${runs}`, op: 'sync', indexName: 'metav1', ids });
  const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000 });
  return (await runChunk(worker, runId, 0)) as { upserted: number; skipped: number; rejected: number };
}

/** A verify run over the whole index (healing on, recall off); its result. */
async function verify() {
  runs += 1;
  const runId = await oneChunkRun(ledger, { tag: `meta${runs}`, op: 'verify', indexName: 'metav1', params: { heal: true } });
  const worker = workerWith(ledger, oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000 });
  Object.assign(worker.config, { RECALL_SAMPLE: 0 });
  return (await runChunk(worker, runId, 0)) as { drift: { rejected: number; missing: number; stale: number }; healed: number };
}

async function held(id: string) {
  const [vector] = await oss.getVectors({ bucket: BUCKET, indexName: 'metav1', keys: [id], returnMetadata: true });
  return vector?.metadata;
}

beforeAll(async () => {
  world = await startEmulatedWorld(BUCKET);
  ({ sql, ledger, oss } = world);
  // As create-index does: the generation registered (taking snippets), then its OSS index created.
  await ensureIndex(oss, await ledger.registerIndex({ indexName: 'metav1', logicalName: 'meta', bucket: BUCKET, dimension: 384, metric: 'cosine' }));
  await ledger.activateIndex('metav1');
  await sql`insert into public.source_documents (id, content, metadata) values
    (${IDS[0]!}, ${'Harbour  cranes\nlift containers at dawn. '.repeat(20)}, '{"lang": "en"}'),
    (${IDS[1]!}, 'A short note.', ${sql.json({ big: 'x'.repeat(3000) })}),
    (${IDS[2]!}, 'Another note.', ${sql.json(NINE_KEYS)})`;
  await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
            select id, encode(sha256(convert_to(content, 'UTF8')), 'hex'), 'test', array_fill(0.1::real, array[384])::extensions.vector from public.source_documents`;
}, 60_000);

afterAll(async () => {
  await world.close();
});

describe('metadata through a sync', () => {
  it('writes each vector with a non-filterable snippet, and rejects one whose filterable metadata is too big', async () => {
    // Act
    const result = await sync(IDS);
    // Assert
    expect(result).toMatchObject({ upserted: 1, rejected: 2 });
    const metadata = await held(IDS[0]!);
    expect(metadata).toMatchObject({ lang: 'en' });
    expect(String(metadata?.snippet)).toMatch(/^Harbour cranes lift containers at dawn\. Harbour.*…$/u);
    expect(String(metadata?.snippet).length).toBeLessThanOrEqual(200);
    const rejections = await sql`select document_id, reason, detail from vector_sync.rejections where document_id in ${sql([IDS[1]!, IDS[2]!])} order by document_id`;
    expect(rejections).toMatchObject([{ reason: 'MetadataTooLarge' }, { reason: 'TooManyMetadataKeys' }]);
    expect(String(rejections[0]?.detail)).toMatch(/filterable metadata/u);
    expect(await held(IDS[1]!)).toBeUndefined();
    const index = await oss.getVectorIndex({ bucket: BUCKET, indexName: 'metav1' });
    expect(index.metadata?.nonFilterableMetadataKeys).toEqual(['snippet']);
  }, 60_000);

  it('writes a metadata-only change again, and skips a repeat', async () => {
    // Prepare
    await sql`update public.source_documents set metadata = '{"lang": "de", "reviewed": true}' where id = ${IDS[0]!}`;
    // Act
    const changed = await sync([IDS[0]!]);
    const again = await sync([IDS[0]!]);
    // Assert
    expect(changed).toMatchObject({ upserted: 1, skipped: 0 });
    expect(await held(IDS[0]!)).toMatchObject({ lang: 'de', reviewed: 'true' });
    expect(again).toMatchObject({ upserted: 0, skipped: 1 });
  }, 60_000);

  it('refuses a filter on the snippet, which is non-filterable, and answers one on a document key', async () => {
    // Prepare
    const query = { bucket: BUCKET, indexName: 'metav1', queryVector: new Array<number>(384).fill(0.1), topK: 1 };
    // Act
    const refused = await oss.queryVectors({ ...query, filter: { snippet: { $eq: 'Harbour' } } }).catch((error: unknown) => error);
    const answered = await oss.queryVectors({ ...query, filter: { lang: { $eq: 'de' } } });
    // Assert
    expect(refused).toBeInstanceOf(OssVectorsRequestError);
    expect(refused).toMatchObject({ status: 400 });
    expect(String((refused as Error).message)).toMatch(/snippet is not filterable/u);
    expect(answered.map((vector) => vector.key)).toEqual([IDS[0]!]);
  }, 60_000);

  it('writes a refused document once its metadata fits', async () => {
    // Prepare
    await sql`update public.source_documents set metadata = '{"lang": "en"}' where id = ${IDS[1]!}`;
    // Act
    const result = await sync([IDS[1]!]);
    // Assert
    expect(result).toMatchObject({ upserted: 1, rejected: 0 });
    expect(await held(IDS[1]!)).toMatchObject({ lang: 'en', snippet: 'A short note.' });
  }, 60_000);

  it('counts a written document whose metadata grew too big as rejected, not as stale drift a sync could heal', async () => {
    // Prepare: the index keeps the vector last written, with its older metadata
    await sql`update public.source_documents set metadata = ${sql.json({ big: 'y'.repeat(3000) })} where id = ${IDS[0]!}`;
    expect(await sync([IDS[0]!])).toMatchObject({ upserted: 0, rejected: 1 });
    expect(await held(IDS[0]!)).toMatchObject({ lang: 'de' });
    // Act
    const result = await verify();
    // Assert: IDS[0] (held, too big now) and IDS[2] (never written) are refused; nothing to heal
    expect(result).toMatchObject({ drift: { rejected: 2, missing: 0, stale: 0 }, healed: 0 });
  }, 60_000);
});
