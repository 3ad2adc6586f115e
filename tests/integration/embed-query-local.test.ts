// embed-query on the local cloud's Supabase, wired as startLocalCloud wires it (the same embedder
// settings for embed-documents and embed-query, the worker's EMBED_QUERY_URL/KEY): the worker's
// query embedder, built from those settings, embeds a document's text into the very vector
// embed-documents stored for it, and refuses to embed for another model.
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryEmbedder } from '../../ecs/embedQueryClient';
import { EmbeddingModelMismatchError } from '../../ecs/queryEmbedder';
import { localEmbedderSettings, localEmbedQuerySettings } from '../../local/stack/embedQuerySettings';
import { makeLocalKeys } from '../../local/stack/localKeys';
import { startSupabase } from '../../local/supabase';
import type { LocalSupabase } from '../../local/supabase';
import { WorkerConfigSchema } from '../../shared/config';
import { testDatabaseUrl } from '../helpers/database';

const keys = makeLocalKeys();
let database: Awaited<ReturnType<typeof testDatabaseUrl>>;
let supabase: LocalSupabase;
let sql: Sql;

/** The worker's query embedder as ecs/context.ts builds it from the local cloud's worker settings. */
function workerEmbedder() {
  const settings = localEmbedQuerySettings(supabase.functionsUrl, keys);
  const embedder = createQueryEmbedder({ ...settings, EMBED_QUERY_TIMEOUT_MS: WorkerConfigSchema.shape.EMBED_QUERY_TIMEOUT_MS.parse(undefined) });
  if (!embedder) throw new Error('the local cloud\'s worker settings name no embed-query endpoint');
  return embedder;
}

beforeAll(async () => {
  database = await testDatabaseUrl();
  supabase = await startSupabase({
    ...(database.databaseUrl === undefined ? {} : { databaseUrl: database.databaseUrl }),
    functions: ['embed-documents', 'embed-query'],
    functionsEnv: localEmbedderSettings(keys),
  });
  sql = postgres(supabase.dbUrl, { max: 2, prepare: false, onnotice: () => undefined });
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await supabase?.close();
  await database?.drop();
});

describe('embed-query on the local cloud', () => {
  it('embeds a document\'s text into the vector embed-documents stored for it', async () => {
    // Prepare: a document embedded by embed-documents, as pg_cron would have it
    const text = 'Tide tables for the northern harbour, revised after the spring survey.';
    const [doc] = await sql<{ id: string }[]>`insert into public.source_documents (content) values (${text}) returning id::text as id`;
    const drained = await fetch(`${supabase.functionsUrl}/embed-documents`, { method: 'POST', headers: { authorization: `Bearer ${keys.functionKey}` } });
    expect(drained.status).toBe(200);
    const [stored] = await sql<{ model: string; embedding: string }[]>`select model, embedding::text as embedding from public.document_embeddings where document_id = ${doc?.id ?? ''}::uuid`;
    const storedVector = JSON.parse(stored?.embedding ?? '[]') as number[];
    // Act
    const [queryVector] = await workerEmbedder().embed([text], { model: stored?.model ?? '', dimension: storedVector.length });
    // Assess: equal as pgvector keeps them (single precision)
    expect(stored?.model).toBe('hash:v1-384');
    expect(storedVector).toHaveLength(384);
    expect(queryVector?.map(Math.fround)).toEqual(storedVector.map(Math.fround));
  }, 60_000);

  it('refuses to embed for documents of another model with EmbeddingModelMismatchError', async () => {
    // Act
    const failure = await workerEmbedder().embed(['tide tables'], { model: 'gte-small', dimension: 384 }).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(EmbeddingModelMismatchError);
    expect((failure as Error).message).toBe('the documents were embedded with gte-small (384 dimensions), but embed-query refused to embed for them: this endpoint embeds with hash:v1-384; the documents were embedded with gte-small');
  }, 60_000);
});
