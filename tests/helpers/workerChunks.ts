// Set-up for tests that run the worker's chunk code against the test database, with the OSS Vectors
// client's calls stubbed or against the emulator: documents with embeddings, a chunk running or
// dispatched, the worker context, and the database with an emulator beside it.
import type { Sql } from 'postgres';
import type { WorkerContext } from '../../ecs/context';
import { WorkerLedger } from '../../ecs/ledger';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulator } from '../../local/oss-vectors';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { createSql } from '../../shared/ledger';
import type { ChunkRow, IndexRow, RunRow } from '../../shared/ledger';
import { Logger } from '../../shared/logging';
import { startTestPostgres } from './database';

/** Inserts a document per id, each with a 384-dimension embedding (all `fill`) whose hash is unique to it. */
export async function seedEmbeddedDocuments(sql: Sql, ids: readonly string[], fill = 0.1): Promise<void> {
  await sql`insert into public.source_documents (id, content) select unnest(${[...ids]}::uuid[]), 'document'`;
  await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
            select id, encode(sha256(convert_to(content || id::text, 'UTF8')), 'hex'), 'test', array_fill(${fill}::real, array[384])::extensions.vector
            from public.source_documents where id = any(${[...ids]}::uuid[])`;
}

/** A rebuild run into `indexName` whose one chunk covers the key range `(after, through]` and is running now. */
export async function runningRebuildChunk(ledger: WorkerLedger, tag: string, indexName: string, range: { after: string; through: string }): Promise<{ run: RunRow; chunk: ChunkRow; index: IndexRow }> {
  const run = await ledger.openRun({ sourceEventId: `evt-${tag}`, op: 'rebuild', indexName });
  await ledger.addChunk(run.run_id, 0, range);
  await ledger.markRunChunked(run.run_id, 1);
  await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: `c-${tag}`, invokeId: `t-${tag}`, instanceId: 'i-local0001' });
  const chunk = await ledger.markChunkRunning(run.run_id, 0);
  const index = await ledger.index(indexName);
  if (!index) throw new Error(`${indexName} is not registered`);
  return { run, chunk, index };
}

/** A sync run on `indexName` whose one chunk holds every id and is running now. */
export async function runningSyncChunk(ledger: WorkerLedger, tag: string, indexName: string, ids: readonly string[]): Promise<{ run: RunRow; chunk: ChunkRow; index: IndexRow }> {
  const run = await ledger.openRun({ sourceEventId: `evt-${tag}`, op: 'sync', indexName, ids });
  await ledger.addChunk(run.run_id, 0, { ids: [...ids] });
  await ledger.markRunChunked(run.run_id, 1);
  await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: `c-${tag}`, invokeId: `t-${tag}`, instanceId: 'i-local0001' });
  const chunk = await ledger.markChunkRunning(run.run_id, 0);
  const index = await ledger.index(indexName);
  if (!index) throw new Error(`${indexName} is not registered`);
  return { run, chunk, index };
}

/** An OSS Vectors client that reaches nothing: a test stubs the calls it expects. */
export function unreachableOss(): OssVectorsClient {
  return new OssVectorsClient({ region: 'cn-hangzhou', accountId: '1', credentials: { accessKeyId: 'test-key', accessKeySecret: 'test-secret' }, endpoint: 'http://127.0.0.1:9' });
}

/** The settings a chunk job reads; the write quota and concurrency default to the worker's defaults. */
export interface ChunkSettings {
  readonly WORKER_BATCH_ROWS: number;
  readonly INDEX_WRITE_QPS: number;
  readonly INDEX_WRITE_VECTORS_PER_SECOND?: number;
  readonly WORKER_WRITE_CONCURRENCY?: number;
  readonly VALIDATION_SAMPLE?: number;
}

/** The worker context a chunk job needs, with pages of WORKER_BATCH_ROWS and the index write quota given. */
export function workerWith(ledger: WorkerLedger, oss: OssVectorsClient, settings: ChunkSettings): WorkerContext {
  const config = { INDEX_WRITE_VECTORS_PER_SECOND: 2500, WORKER_WRITE_CONCURRENCY: 5, VALIDATION_SAMPLE: 0, SNIPPET_CHARS: 200, ...settings };
  return { config, ledger, oss, log: new Logger({ sink: () => undefined }) } as unknown as WorkerContext;
}

/** A run whose one chunk (its ids for a sync, the whole key range otherwise) is dispatched and waits for the worker; its id. */
export async function oneChunkRun(ledger: WorkerLedger, input: { tag: string; op: RunRow['op']; indexName: string; ids?: readonly string[]; params?: Readonly<Record<string, unknown>> }): Promise<string> {
  const run = await ledger.openRun({ sourceEventId: `evt-${input.tag}`, op: input.op, indexName: input.indexName, ...(input.ids ? { ids: input.ids } : {}), ...(input.params ? { params: input.params } : {}) });
  await ledger.addChunk(run.run_id, 0, input.ids ? { ids: [...input.ids] } : { after: null, through: null });
  await ledger.markRunChunked(run.run_id, 1);
  await ledger.markChunkDispatched({ runId: run.run_id, chunkNo: 0, commandId: `c-${input.tag}`, invokeId: `t-${input.tag}`, instanceId: 'i-local0001' });
  return run.run_id;
}

/** The test database, its worker ledger and an OSS Vectors emulator (no searchable delay, no quota) with one bucket. */
export interface EmulatedWorld {
  readonly sql: Sql;
  readonly ledger: WorkerLedger;
  readonly emulator: OssVectorsEmulator;
  readonly oss: OssVectorsClient;
  close(): Promise<void>;
}

/** Starts an EmulatedWorld with `bucket` created. */
export async function startEmulatedWorld(bucket: string): Promise<EmulatedWorld> {
  const pg = await startTestPostgres();
  const sql = createSql(pg.url, { max: 3 });
  const emulator = await startOssVectorsEmulator({ searchableDelayMs: 0, writeQuota: false });
  const oss = new OssVectorsClient({ region: emulator.region, accountId: emulator.accountId, credentials: emulator.credentials[0]!, endpoint: emulator.endpoint });
  await oss.putVectorBucket(bucket);
  return {
    sql,
    ledger: new WorkerLedger(sql),
    emulator,
    oss,
    close: async () => {
      await sql.end();
      await pg.close();
      await emulator.close();
    },
  };
}
