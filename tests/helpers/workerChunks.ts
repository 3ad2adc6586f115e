// Set-up for tests that run the worker's chunk code against the test database with the OSS Vectors
// client's calls stubbed: documents with embeddings, a sync chunk running, and the worker context.
import type { Sql } from 'postgres';
import type { WorkerContext } from '../../ecs/context';
import type { WorkerLedger } from '../../ecs/ledger';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { ChunkRow, IndexRow, RunRow } from '../../shared/ledger';
import { Logger } from '../../shared/logging';

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
