// The claim-check path from the queue to the runs: publish-changes in real `deno run` processes
// claims batches and publishes them on the local EventBridge; every delivered event is handed to
// validate's acceptRun (twice, as an at-least-once bus may) over the same database. Whatever fails
// in between, each queued id ends in exactly one run: nothing lost, nothing doubled.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator, InvokableFunction } from '../../local/eventbridge';
import type { LocalInvokeResult } from '../../local/fc';
import type { EdgeFunctionProcess } from '../../local/supabase';
import { ChangesPublishedEventSchema } from '../../shared/contracts';
import type { ChangesPublishedEvent } from '../../shared/contracts';
import { acceptRun } from '../../shared/domain/validate';
import { createSql, Ledger } from '../../shared/ledger';
import { FunctionName, ROUTES } from '../../shared/routing';
import { callFunction, startEdgeDatabase, startPublishFunction } from '../helpers/edgeHarness';
import type { EdgeDatabase } from '../helpers/edgeHarness';
import { RecordingPublisher } from '../concurrency/runsFixtures';

/** Stands in for validate on the bus: keeps every delivered event (validate runs after each act). */
class RecordingFunction implements InvokableFunction {
  readonly events: ChangesPublishedEvent[] = [];
  invoke(event: Buffer): Promise<LocalInvokeResult> {
    this.events.push(ChangesPublishedEventSchema.parse(JSON.parse(event.toString('utf8'))));
    return Promise.resolve({ ok: true, requestId: `r-${this.events.length}`, durationMs: 1, body: Buffer.from('{}'), logs: [] });
  }
}

const LOGICAL = 'documents';

let database: EdgeDatabase;
let sql: Sql;
let ledger: Ledger;
let bus: EventBridgeEmulator;
let validate: RecordingFunction;
const running: EdgeFunctionProcess[] = [];

async function publishFunction(env: Record<string, string> = {}): Promise<EdgeFunctionProcess> {
  const fn = await startPublishFunction(bus, database.url, { VECTOR_INDEX: LOGICAL, ...env });
  running.push(fn);
  return fn;
}

/** Queues one sync message per new id, as the sidecar's triggers would; answers the ids. */
async function queueChanges(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await sql`select pgmq.send_batch('vector_sync', array(select jsonb_build_object('id', u) from unnest(${ids}::text[]) as u))`;
  return ids;
}

/** Hands every delivered event to validate twice (a redelivery), then counts each id's runs. */
async function validateAll(): Promise<Map<string, number>> {
  const deps = { ledger, publisher: new RecordingPublisher(), defaults: { bucket: 'vectors', dimension: 384, metric: 'cosine' } as const };
  for (const event of [...validate.events, ...validate.events]) {
    await acceptRun(deps, { id: event.id, type: event.type, data: event.data });
  }
  const rows = await sql<{ document_id: string; runs: number }[]>`
    select i.document_id, count(*)::int as runs from vector_sync.run_items as i group by i.document_id`;
  return new Map(rows.map((row) => [row.document_id, row.runs]));
}

/** Makes every claimed batch due now (its backoff or lease has passed). */
async function passTime(): Promise<void> {
  await sql`update vector_sync.change_batches set next_publish_at = now() - interval '1 second' where state = 'claimed'`;
}

beforeAll(async () => {
  database = await startEdgeDatabase();
  sql = createSql(database.url, { max: 1 });
  ledger = new Ledger(sql);
  await ledger.registerIndex({ indexName: 'documentsg1', logicalName: LOGICAL, bucket: 'vectors', dimension: 384, metric: 'cosine' });
  await ledger.activateIndex('documentsg1');
  validate = new RecordingFunction();
  bus = await startEventBridge({ routes: ROUTES, timeScale: 0.0001, functions: new Map([[FunctionName.Validate, validate]]) });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((fn) => fn.stop()));
  bus.faults.clear();
  validate.events.length = 0;
  await sql`select pgmq.purge_queue('vector_sync')`;
  await sql`select pgmq.purge_queue('embedding_jobs')`;
  await sql`delete from vector_sync.runs`;
  await sql`delete from vector_sync.change_batches`;
});

afterAll(async () => {
  await bus.close();
  await sql.end();
  await database.close();
});

describe('claim-check change batches', () => {
  it('publishes a batch whose publish failed on the next cycle, and loses and doubles nothing', async () => {
    // Prepare: 600 ids, batches of at most 250; the bus refuses the first entry it gets.
    const ids = await queueChanges(600);
    bus.faults.add({ operation: 'PutEventsEntry', kind: 'status', status: 500, count: 1 });
    const publish = await publishFunction({ PUBLISH_MAX_IDS: '250' });
    // Act
    const first = await callFunction(publish);
    await passTime();
    const second = await callFunction(publish);
    await bus.idle();
    const runsPerId = await validateAll();
    // Assert: the first cycle claimed one batch and stopped; the second sent it and the rest
    expect(first.status).toBe(207);
    expect(first.body).toMatchObject({ claimed: 1, claimedIds: 250, events: 0, retried: 1, parked: 0 });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ claimed: 2, claimedIds: 350, events: 3, published: 600 });
    expect(new Set(validate.events.map((event) => event.id)).size).toBe(3);
    expect([...runsPerId.keys()].sort()).toEqual([...ids].sort());
    expect([...runsPerId.values()].every((runs) => runs === 1)).toBe(true);
    expect((await sql`select run_id from vector_sync.runs`).length).toBe(3);
    expect((await sql`select 1 from vector_sync.change_batches where state <> 'published'`).length).toBe(0);
  }, 90_000);

  it('publishes a batch whose cycle died between claim and publish once its lease ends', async () => {
    // Prepare: a cycle claimed a batch and died before publishing it.
    const ids = await queueChanges(40);
    const [dead] = await sql<{ batch_id: string }[]>`select batch_id::text from vector_sync.claim_change_batch(${LOGICAL}, 1000, 60)`;
    const publish = await publishFunction();
    // Act: within the lease the batch is left alone; after it, the next cycle publishes it.
    const during = await callFunction(publish);
    await passTime();
    const after = await callFunction(publish);
    await bus.idle();
    const runsPerId = await validateAll();
    // Assert
    expect(during.body).toMatchObject({ claimed: 0, events: 0 });
    expect(after.body).toMatchObject({ claimed: 0, events: 1, published: 40 });
    expect(validate.events.map((event) => event.id)).toEqual([dead?.batch_id]);
    expect([...runsPerId.keys()].sort()).toEqual([...ids].sort());
    expect([...runsPerId.values()].every((runs) => runs === 1)).toBe(true);
  }, 90_000);

  it('splits the queue between overlapping cycles: every id in exactly one batch and one run', async () => {
    // Prepare: two function instances (two edge workers) drain one queue at the same time.
    const ids = await queueChanges(3000);
    const publishers = await Promise.all([publishFunction({ PUBLISH_MAX_IDS: '100' }), publishFunction({ PUBLISH_MAX_IDS: '100' })]);
    // Act
    const answers = await Promise.all(publishers.map((fn) => callFunction(fn)));
    await bus.idle();
    const runsPerId = await validateAll();
    // Assert: both worked, the batches are disjoint and every one went out once
    const claimed = answers.map((answer) => Number(answer.body.claimed));
    expect(claimed.every((n) => n > 0)).toBe(true);
    expect(claimed[0]! + claimed[1]!).toBe(30);
    expect(validate.events.length).toBe(30);
    expect(new Set(validate.events.map((event) => event.id)).size).toBe(30);
    expect(runsPerId.size).toBe(ids.length);
    expect([...runsPerId.values()].every((runs) => runs === 1)).toBe(true);
  }, 120_000);

  it('holds changes for a fuller batch while embeddings are pending, and not when none are', async () => {
    // Prepare: 12 changes wait while a document still waits for its embedding (a bulk load).
    await queueChanges(12);
    await sql`select pgmq.send('embedding_jobs', jsonb_build_object('id', gen_random_uuid()))`;
    const publish = await publishFunction({ PUBLISH_MAX_IDS: '5', PUBLISH_MAX_WAIT_SECONDS: '60' });
    // Act: full batches go; the young remainder waits; once old enough, or once nothing is left to embed, it goes.
    const loading = await callFunction(publish);
    await sql`update pgmq.q_vector_sync set enqueued_at = enqueued_at - interval '61 seconds'`;
    const waitedLongEnough = await callFunction(publish);
    await queueChanges(1);
    const young = await callFunction(publish);
    await sql`select pgmq.purge_queue('embedding_jobs')`;
    const loaded = await callFunction(publish);
    // Assert
    expect(loading.body).toMatchObject({ claimed: 2, claimedIds: 10 });
    expect(waitedLongEnough.body).toMatchObject({ claimed: 1, claimedIds: 2 });
    expect(young.body).toMatchObject({ claimed: 0 });
    expect(loaded.body).toMatchObject({ claimed: 1, claimedIds: 1 });
  }, 90_000);

  it('parks a batch after MAX_ATTEMPTS failed publishes, with its reason', async () => {
    // Prepare: the bus refuses every entry.
    await queueChanges(5);
    bus.faults.add({ operation: 'PutEventsEntry', kind: 'status', status: 500, rate: 1 });
    const publish = await publishFunction({ MAX_ATTEMPTS: '2' });
    // Act
    const first = await callFunction(publish);
    await passTime();
    const second = await callFunction(publish);
    // Assert
    expect(first.body).toMatchObject({ claimed: 1, retried: 1, parked: 0 });
    expect(second.status).toBe(207);
    expect(second.body).toMatchObject({ claimed: 0, retried: 0, parked: 1 });
    const [batch] = await sql<{ state: string; publish_attempts: number; last_error: string }[]>`select state, publish_attempts, last_error from vector_sync.change_batches`;
    expect(batch).toMatchObject({ state: 'parked', publish_attempts: 2 });
    expect(batch?.last_error).toMatch(/500|Internal/u);
    expect(validate.events).toHaveLength(0);
  }, 90_000);
});
