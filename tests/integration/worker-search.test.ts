// A search run's chunk against the OSS Vectors emulator, the OSS emulator (the archive) and
// Postgres: text (through a QueryEmbedder), vector and document-id queries find their documents,
// a query that cannot be answered carries its reason while the others run, a filter restricts the
// hits, recall is measured on request, and every hit is archived as JSON.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from 'postgres';
import type { WorkerContext } from '../../ecs/context';
import { runChunk } from '../../ecs/jobs/runChunk';
import { WorkerLedger } from '../../ecs/ledger';
import { EmbeddingModelMismatchError } from '../../ecs/queryEmbedder';
import type { ExpectedModel, QueryEmbedder } from '../../ecs/queryEmbedder';
import { startOss } from '../../local/oss';
import type { OssEmulator } from '../../local/oss';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator } from '../../local/oss-vectors';
import type { LocalPostgres } from '../../local/supabase';
import { OssObjectStore } from '../../shared/clients/oss';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { SearchParams, SearchResult } from '../../shared/contracts';
import { createSql } from '../../shared/ledger';
import { startTestPostgres } from '../helpers/database';
import { oneChunkRun, workerWith } from '../helpers/workerChunks';

const BUCKET = 'search-test';
const CONTENTS = ['Harbour cranes lift containers at dawn.', 'A recipe for lemon tart with thyme.', 'Tide tables for the northern harbour.', 'Notes on vector indexes and recall.'];
let pg: LocalPostgres;
let sql: Sql;
let ledger: WorkerLedger;
let vectorsEmulator: OssVectorsEmulator;
let ossEmulator: OssEmulator;
let oss: OssVectorsClient;
let archive: OssObjectStore;
const ids = CONTENTS.map((_, i) => idOf(`search-${i}`));

function idOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A unit vector of 384 values from a text: the same text, the same vector. */
function vectorOf(text: string): number[] {
  const seed = createHash('sha256').update(text).digest();
  const values = Array.from({ length: 384 }, (_, i) => (seed[i % 32]! - 128) * Math.sin(i + 1));
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
  return values.map((v) => v / norm);
}

/** Embeds like the documents' embedder (model `test`), refusing any other model. */
const embedder: QueryEmbedder = {
  embed: (texts: readonly string[], expected: ExpectedModel) => {
    if (expected.model !== 'test' || expected.dimension !== 384) return Promise.reject(new EmbeddingModelMismatchError(`the endpoint embeds with test/384, not ${expected.model}/${expected.dimension}`));
    return Promise.resolve(texts.map(vectorOf));
  },
};

/** A search run on the index whose one chunk is dispatched, with these params as stored; its id. */
async function openSearch(tag: string, params: Record<string, unknown>): Promise<string> {
  return oneChunkRun(ledger, { tag, op: 'search', indexName: 'findv1', params });
}

/** The worker context of these tests: the archive, QUERY_TOPK_MAX 30 and, when given, an embedder. */
function searchWorker(options: { embedder?: QueryEmbedder; client?: OssVectorsClient } = {}): WorkerContext {
  const worker = workerWith(ledger, options.client ?? oss, { WORKER_BATCH_ROWS: 500, INDEX_WRITE_QPS: 1000 });
  Object.assign(worker, { archive, ...(options.embedder ? { queryEmbedder: options.embedder } : {}) });
  Object.assign(worker.config, { QUERY_TOPK_MAX: 30, SEARCH_ARCHIVE_PREFIX: 'searches/' });
  return worker;
}

/** A search run on the index with one chunk, run by the worker; its result. */
async function search(tag: string, params: Partial<SearchParams> & Pick<SearchParams, 'queries'>, options: { embedder?: QueryEmbedder } = {}): Promise<{ runId: string; search: SearchResult }> {
  const runId = await openSearch(tag, { topK: 3, recall: false, passages: false, ...params });
  const outcome = (await runChunk(searchWorker(options), runId, 0)) as { search: SearchResult };
  return { runId, search: outcome.search };
}

beforeAll(async () => {
  pg = await startTestPostgres();
  sql = createSql(pg.url, { max: 3 });
  ledger = new WorkerLedger(sql);
  vectorsEmulator = await startOssVectorsEmulator({ searchableDelayMs: 0, writeQuota: false });
  oss = new OssVectorsClient({ region: vectorsEmulator.region, accountId: vectorsEmulator.accountId, credentials: vectorsEmulator.credentials[0]!, endpoint: vectorsEmulator.endpoint });
  ossEmulator = await startOss({ buckets: ['search-archive'] });
  archive = new OssObjectStore({ endpoint: ossEmulator.endpoint, bucket: 'search-archive', region: ossEmulator.region, ...ossEmulator.credentials[0]! });
  await oss.putVectorBucket(BUCKET);
  await ledger.registerIndex({ indexName: 'findv1', logicalName: 'find', bucket: BUCKET, dimension: 384, metric: 'cosine' });
  await ledger.activateIndex('findv1');
  await oss.putVectorIndex({ bucket: BUCKET, indexName: 'findv1', dimension: 384, distanceMetric: 'cosine', nonFilterableMetadataKeys: ['snippet'] });
  await sql`insert into public.source_documents (id, content) select * from unnest(${ids}::uuid[], ${CONTENTS}::text[])`;
  for (const [i, id] of ids.entries()) await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding) values (${id}, ${'b'.repeat(64)}, 'test', ${`[${vectorOf(CONTENTS[i]!).join(',')}]`}::extensions.vector)`;
  // The first two carry their snippet; the others get theirs from Postgres.
  await oss.putVectors({ bucket: BUCKET, indexName: 'findv1', vectors: ids.map((id, i) => ({ key: id, data: vectorOf(CONTENTS[i]!), metadata: { topic: i % 2 === 0 ? 'harbour' : 'other', ...(i < 2 ? { snippet: `carried: ${CONTENTS[i]}` } : {}) } })) });
}, 60_000);

afterAll(async () => {
  await sql.end();
  await pg.close();
  await vectorsEmulator.close();
  await ossEmulator.close();
});

describe('a search run', () => {
  it('finds the document whose text, vector or id was queried as the top hit, with its snippet', async () => {
    // Act
    const { search: result } = await search('kinds', { queries: [{ text: CONTENTS[2]! }, { vector: vectorOf(CONTENTS[3]!), label: 'by vector' }, { documentId: ids[0]! }] }, { embedder });
    // Assert
    expect(result.queries.map((q) => [q.kind, q.hits[0]?.documentId, q.hits[0]?.distance !== null && Math.abs(q.hits[0]?.distance ?? 1) < 1e-4])).toEqual([
      ['text', ids[2], true],
      ['vector', ids[3], true],
      ['document', ids[0], true],
    ]);
    expect(result.queries[1]?.label).toBe('by vector');
    expect(result.queries[2]?.hits[0]?.snippet).toBe(`carried: ${CONTENTS[0]}`);
    expect(result.queries[0]?.hits[0]?.snippet).toBe(CONTENTS[2]);
    expect(result.queries.every((q) => q.hits.length === 3)).toBe(true);
    expect(result.textModel).toEqual({ model: 'test', models: 1 });
  }, 60_000);

  it('gives a query that cannot be answered its reason and runs the others', async () => {
    // Act: no embedder on this worker, a vector of the wrong length, a document without embedding
    const { search: result } = await search('reasons', { queries: [{ text: 'harbour' }, { vector: [1, 2, 3] }, { documentId: idOf('nowhere') }, { documentId: ids[1]! }] });
    // Assert
    expect(result.queries.map((q) => q.error)).toEqual([
      'this worker has no EMBED_QUERY_URL; text queries cannot be embedded',
      'the vector has 3 values; index findv1 takes 384',
      `document ${idOf('nowhere')} has no embedding`,
      undefined,
    ]);
    expect(result.queries[3]?.hits[0]?.documentId).toBe(ids[1]);
  }, 60_000);

  it('refuses text queries when the endpoint embeds with another model', async () => {
    // Prepare: an endpoint whose model is not the documents'
    const other: QueryEmbedder = { embed: (_texts, expected) => Promise.reject(new EmbeddingModelMismatchError(`the endpoint embeds with gte-small/384; the documents were embedded with ${expected.model}/${expected.dimension}`)) };
    // Act
    const { search: result } = await search('mismatch', { queries: [{ text: 'harbour' }, { documentId: ids[2]! }] }, { embedder: other });
    // Assert
    expect(result.queries[0]?.error).toBe('the endpoint embeds with gte-small/384; the documents were embedded with test/384');
    expect(result.queries[1]?.hits[0]?.documentId).toBe(ids[2]);
  }, 60_000);

  it('embeds texts with the most common model when the sidecar holds several, and says so', async () => {
    // Prepare: one document re-embedded with another model (a migration under way)
    const asked: string[] = [];
    const recording: QueryEmbedder = { embed: (texts, expected) => (asked.push(expected.model), embedder.embed(texts, expected)) };
    await sql`update public.document_embeddings set model = 'other' where document_id = ${ids[1]!}`;
    try {
      // Act
      const { search: result } = await search('mixed', { queries: [{ text: CONTENTS[3]! }, { text: CONTENTS[0]! }] }, { embedder: recording });
      // Assert: one call for both texts, with the documents' most common model
      expect(asked).toEqual(['test']);
      expect(result.textModel).toEqual({ model: 'test', models: 2 });
      expect(result.queries.map((q) => q.hits[0]?.documentId)).toEqual([ids[3], ids[0]]);
    } finally {
      await sql`update public.document_embeddings set model = 'test' where document_id = ${ids[1]!}`;
    }
  }, 60_000);

  it('restricts the hits with a filter and refuses one on a non-filterable key for that query', async () => {
    // Act
    const { search: filtered } = await search('filter', { queries: [{ documentId: ids[1]! }], filter: { topic: { $eq: 'harbour' } } });
    const { search: refused } = await search('filter-refused', { queries: [{ documentId: ids[1]! }], filter: { snippet: { $eq: 'x' } } });
    // Assert
    expect(filtered.filtered).toBe(true);
    expect(filtered.queries[0]?.hits.map((hit) => hit.documentId).sort()).toEqual([ids[0], ids[2]].sort());
    expect(refused.queries[0]?.error).toMatch(/snippet/u);
  }, 60_000);

  it('groups passages by document (best first) unless asked for the passages as they are', async () => {
    // Prepare: a second passage of document 0, nearer to document 2's text than document 2's own neighbours
    await oss.putVectors({ bucket: BUCKET, indexName: 'findv1', vectors: [{ key: `${ids[0]!}#1`, data: vectorOf(CONTENTS[2]!).map((v, i) => (i === 0 ? v + 0.01 : v)), metadata: { snippet: 'passage one' } }] });
    // Act
    const { search: byDocument } = await search('grouped', { queries: [{ text: CONTENTS[2]! }], topK: 3 }, { embedder });
    const { search: asTheyAre } = await search('passages', { queries: [{ text: CONTENTS[2]! }], topK: 3, passages: true }, { embedder });
    // Assert
    const hits = (result: SearchResult) => result.queries[0]?.hits.map((hit) => [hit.documentId, hit.passageNo ?? 0]);
    expect(hits(byDocument)).toEqual([[ids[2], 0], [ids[0], 1], expect.any(Array)]);
    expect(new Set(byDocument.queries[0]?.hits.map((hit) => hit.documentId)).size).toBe(3);
    expect(hits(asTheyAre)?.slice(0, 2)).toEqual([[ids[2], 0], [ids[0], 1]]);
    expect(byDocument.queries[0]?.hits[1]?.snippet).toBe('passage one');
    expect([byDocument.grouped, asTheyAre.grouped]).toEqual([true, false]);
    await oss.deleteVectors({ bucket: BUCKET, indexName: 'findv1', keys: [`${ids[0]!}#1`] });
  }, 60_000);

  it('measures recall on request and archives every hit with its metadata', async () => {
    // Act
    const { runId, search: result } = await search('recall', { queries: [{ documentId: ids[0]! }, { documentId: ids[3]! }], recall: true, topK: 4 });
    // Assert
    expect(result.recall).toMatchObject({ k: 4, sampled: 2, recall: 1, differing: [] });
    expect(result.queries.every((q) => q.recall?.recall === 1)).toBe(true);
    expect(result.archiveKey).toBe(`searches/find/${runId}.json`);
    const stored = JSON.parse((await archive.get(result.archiveKey ?? '')).body.toString('utf8')) as { generation: string; queries: { documentId: string; hits: { documentId: string; metadata: Record<string, unknown> }[] }[] };
    expect(stored.generation).toBe('findv1');
    expect(result.textModel).toBeUndefined();
    expect(stored.queries.map((q) => q.hits.length)).toEqual([4, 4]);
    expect(stored.queries[0]?.hits[0]?.metadata).toMatchObject({ topic: 'harbour', snippet: `carried: ${CONTENTS[0]}` });
  }, 60_000);

  it.each([
    ['params that do not fit a search', { topK: 3, queries: [] }, /the params of search run .+ do not fit its op: queries: /u],
    ['a topK above QUERY_TOPK_MAX', { topK: 50, queries: [{ documentId: ids[0] }] }, /topK 50 is above this deployment's QUERY_TOPK_MAX \(30/u],
  ])('fails the chunk for good, with its reason, on %s', async (_case, params, reason) => {
    // Prepare
    const runId = await openSearch(`bad-${String(params.topK)}`, params);
    // Act
    const error = await runChunk(searchWorker(), runId, 0).catch((caught: unknown) => caught);
    // Assert
    expect((error as Error).message).toMatch(reason);
    const chunk = await ledger.chunk(runId, 0);
    expect(chunk?.state).toBe('failed');
    expect(chunk?.error).toMatch(reason);
  }, 60_000);

  it('leaves the chunk running for a retry when OSS Vectors stays unavailable, and the retry answers', async () => {
    // Prepare: a client that gives up after two attempts, and OSS failing exactly those two
    const impatient = new OssVectorsClient({ region: vectorsEmulator.region, accountId: vectorsEmulator.accountId, credentials: vectorsEmulator.credentials[0]!, endpoint: vectorsEmulator.endpoint, maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 });
    const runId = await openSearch('unavailable', { topK: 3, recall: false, passages: false, queries: [{ documentId: ids[3] }] });
    vectorsEmulator.server.faults.add({ operation: 'QueryVectors', kind: 'status', status: 503, count: 2 });
    // Act
    const error = await runChunk(searchWorker({ client: impatient }), runId, 0).catch((caught: unknown) => caught);
    const stillRunning = await ledger.chunk(runId, 0);
    const retried = (await runChunk(searchWorker({ client: impatient }), runId, 0)) as { search: SearchResult };
    // Assert
    expect(error).toMatchObject({ kind: 'transient' });
    expect(stillRunning?.state).toBe('running');
    expect(retried.search.queries[0]?.hits[0]?.documentId).toBe(ids[3]);
    expect((await ledger.chunk(runId, 0))?.state).toBe('succeeded');
  }, 60_000);
});
