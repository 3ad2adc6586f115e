// The two Supabase Edge Functions in real `deno run` processes against the suite's database (PGlite
// over pglite-socket, or a copy on the real server with DATABASE=postgres) and the local
// EventBridge: embeddings written, the outbox published, failures retried and parked, stale
// vectors refused; the claim-check batches are tests/integration/claim-check.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator, InvokableFunction } from '../../local/eventbridge';
import type { LocalInvokeResult } from '../../local/fc';
import type { EdgeFunctionProcess } from '../../local/supabase';
import { ChangesPublishedEventSchema } from '../../shared/contracts';
import { FunctionName, ROUTES } from '../../shared/routing';
import { callFunction, startEdgeDatabase, startEdgeFunction, startPublishFunction } from '../helpers/edgeHarness';
import type { EdgeDatabase } from '../helpers/edgeHarness';
import { startFakeEmbeddingServer } from '../helpers/fakeEmbeddingServer';
import type { FakeEmbeddingServer } from '../helpers/fakeEmbeddingServer';

/** Stands in for validate: records every event EventBridge delivers. */
class RecordingFunction implements InvokableFunction {
  readonly events: Record<string, unknown>[] = [];
  invoke(event: Buffer): Promise<LocalInvokeResult> {
    this.events.push(JSON.parse(event.toString('utf8')) as Record<string, unknown>);
    return Promise.resolve({ ok: true, requestId: `r-${this.events.length}`, durationMs: 1, body: Buffer.from('{}'), logs: [] });
  }
}

let database: EdgeDatabase;
let bus: EventBridgeEmulator;
let validate: RecordingFunction;
const running: (EdgeFunctionProcess | FakeEmbeddingServer)[] = [];

async function count(sql: string): Promise<number> {
  const result = await database.db.query<{ n: number }>(`select (${sql})::int as n`);
  return result.rows[0]?.n ?? -1;
}

async function embedFunction(env: Record<string, string> = {}): Promise<EdgeFunctionProcess> {
  const fn = await startEdgeFunction('embed-documents', { SUPABASE_DB_URL: database.url, EMBEDDING_PROVIDER: 'hash', ...env });
  running.push(fn);
  return fn;
}

async function publishFunction(): Promise<EdgeFunctionProcess> {
  const fn = await startPublishFunction(bus, database.url);
  running.push(fn);
  return fn;
}

beforeAll(async () => {
  database = await startEdgeDatabase();
  validate = new RecordingFunction();
  bus = await startEventBridge({ routes: ROUTES, timeScale: 0.0001, functions: new Map([[FunctionName.Validate, validate]]) });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => ('stop' in item ? item.stop() : item.close())));
  bus.faults.clear();
  await database.db.exec(`
    delete from public.source_documents;
    select pgmq.purge_queue('embedding_jobs');
    select pgmq.purge_queue('vector_sync');
    delete from vector_sync.change_batches;
  `);
});

afterAll(async () => {
  await bus.close();
  await database.close();
});

describe('embed-documents and publish-changes', () => {
  it('answer 401 JSON without the key or with a wrong one', async () => {
    // Prepare
    const embed = await embedFunction();
    const publish = await publishFunction();
    // Act
    const answers = await Promise.all([callFunction(embed, null), callFunction(embed, 'wrong-key-0123456789'), callFunction(publish, null), callFunction(publish, 'x')]);
    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect(answers[0]?.body).toMatchObject({ error: 'unauthorized' });
  }, 60_000);

  it('embeds new documents, publishes their ids to the bus and deletes every handled message', async () => {
    // Prepare
    await database.db.query("insert into public.source_documents (content) values ('the quick brown fox'), ('jumps over'), ('the lazy dog')");
    const embed = await embedFunction();
    const publish = await publishFunction();
    // Act
    const embedded = await callFunction(embed);
    const published = await callFunction(publish);
    await bus.idle();
    // Assess
    expect(embedded.status).toBe(200);
    expect(embedded.body).toMatchObject({ read: 3, embedded: 3, skipped: 0, stale: 0, retried: 0, parked: 0 });
    expect(await count("select count(*) from public.document_embeddings where model = 'hash:v1-384'")).toBe(3);
    expect(await count('select count(*) from pgmq.q_embedding_jobs')).toBe(0);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ claimed: 1, claimedIds: 3, events: 1, published: 3, retried: 0, parked: 0 });
    expect(await count('select count(*) from pgmq.q_vector_sync')).toBe(0);
    // A claim check: the event names the batch, whose items are the documents.
    const event = ChangesPublishedEventSchema.parse(validate.events.at(-1));
    expect(event.id).toBe(event.data.batchId);
    expect(event.data.count).toBe(3);
    const ids = (await database.db.query<{ id: string }>('select id::text as id from public.source_documents')).rows.map((row) => row.id);
    const items = (await database.db.query<{ id: string }>('select document_id as id from vector_sync.change_batch_items where batch_id = $1', [event.data.batchId])).rows.map((row) => row.id);
    expect(items.sort()).toEqual(ids.sort());
  }, 60_000);

  it('skips unchanged content, drops jobs of deleted documents and coalesces duplicate jobs', async () => {
    // Prepare
    const embed = await embedFunction();
    await database.db.query("insert into public.source_documents (content) values ('already embedded')");
    await callFunction(embed);
    // Two jobs for one document: one read before (its timeout ran out) and one unread (the queue
    // holds at most one unread message per id).
    await database.db.exec(`
      select pgmq.send('embedding_jobs', jsonb_build_object('id', (select id from public.source_documents)));
      select pgmq.read('embedding_jobs', 0, 1);
      select pgmq.send('embedding_jobs', jsonb_build_object('id', (select id from public.source_documents)));
      select pgmq.send('embedding_jobs', jsonb_build_object('id', gen_random_uuid()));
    `);
    // Act
    const answer = await callFunction(embed);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ read: 3, embedded: 0, skipped: 1, missing: 1 });
    expect(await count('select count(*) from pgmq.q_embedding_jobs')).toBe(0);
  }, 60_000);

  it('retries a failing provider with a growing delay and parks the message after MAX_ATTEMPTS', async () => {
    // Prepare
    const provider = await startFakeEmbeddingServer(() => Promise.resolve({ status: 500 }));
    running.push(provider);
    const embed = await embedFunction({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: provider.baseUrl, OPENAI_API_KEY: 'sk-test', OPENAI_MAX_RETRIES: '0', MAX_ATTEMPTS: '3' });
    await database.db.query("insert into public.source_documents (content) values ('will not embed')");
    const delays: number[] = [];
    const answers: Record<string, unknown>[] = [];
    // Act
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const answer = await callFunction(embed);
      answers.push({ status: answer.status, ...answer.body });
      const vt = await database.db.query<{ s: number }>('select extract(epoch from vt - now())::float8 as s from pgmq.q_embedding_jobs');
      if (vt.rows[0]) delays.push(vt.rows[0].s);
      await database.db.exec("update pgmq.q_embedding_jobs set vt = now() - interval '1 second'");
    }
    // Assess
    expect(answers.map((answer) => [answer.status, answer.retried, answer.parked])).toEqual([[207, 1, 0], [207, 1, 0], [207, 0, 1]]);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? Infinity);
    expect(await count("select count(*) from vector_sync.dead_letters where queue = 'embedding_jobs' and step = 'embed'")).toBe(1);
    expect(await count('select count(*) from pgmq.a_embedding_jobs')).toBe(1);
    expect(await count('select count(*) from pgmq.q_embedding_jobs')).toBe(0);
  }, 60_000);

  it('refuses a vector computed from content that changed meanwhile and leaves the newer job', async () => {
    // Prepare
    const provider = await startFakeEmbeddingServer(async () => {
      if (provider.requests === 1) await database.db.query("update public.source_documents set content = 'edited while embedding'");
      return { status: 200 };
    });
    running.push(provider);
    const embed = await embedFunction({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: provider.baseUrl, OPENAI_API_KEY: 'sk-test' });
    await database.db.query("insert into public.source_documents (content) values ('original text')");
    await database.db.exec("select pgmq.read('embedding_jobs', 0, 1)"); // read_ct = 1, so the edit enqueues a new job
    // Act
    const answer = await callFunction(embed);
    // Assess
    expect(answer.body).toMatchObject({ stale: 1 });
    const after = await database.db.query<{ n: number }>("select count(*)::int as n from public.document_embeddings e join public.source_documents d on d.id = e.document_id where e.content_hash <> encode(extensions.digest(convert_to(d.content, 'UTF8'), 'sha256'), 'hex')");
    expect(after.rows[0]?.n).toBe(0);
    expect(await count('select count(*) from public.document_embeddings')).toBe(1);
    expect(await count("select count(*) from public.document_embeddings where content_hash = encode(extensions.digest(convert_to('edited while embedding', 'UTF8'), 'sha256'), 'hex')")).toBe(1);
  }, 60_000);
});
