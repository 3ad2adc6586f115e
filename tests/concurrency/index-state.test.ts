// The worker's per-document ledger writes from two chunks (or two attempts of one chunk) at the same
// instant: index_state upserts and deletes, run items and rejections, with overlapping ids in
// different orders. Each round releases the racers at once; the assertions read the final rows.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { contentHash, failures, random, shuffled } from './queueFixtures';

const RACERS = 6;
const ROUNDS = 20;
const INDEX = 'docsRace';

/** Opens a run on the test index and answers its id. */
async function openRun(sql: Sql, op: 'sync' | 'rebuild', ids: readonly string[] | null): Promise<string> {
  const [row] = await sql<{ run_id: string }[]>`
    select run_id::text as run_id from vector_sync.open_run(${`evt-${randomUUID()}`}, ${op}, ${INDEX}, ${ids === null ? null : [...ids]}::text[])`;
  if (!row) throw new Error('open_run returned no row');
  return row.run_id;
}

describeOnServer('worker ledger writes', () => {
  const db = useConcurrencyDatabase();
  let clients: Sql[];

  beforeAll(async () => {
    clients = await db.clients(RACERS);
    await db.sql`select vector_sync.register_index(${INDEX}, 'docs', 'vector-bucket', 384, 'cosine')`;
  });

  it('lets upserts and deletes of overlapping index_state ids in any order finish without a deadlock', async () => {
    const next = random(3);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: what the index holds, stored in a random order (the heap order is not the id order).
      const ids = Array.from({ length: 64 }, () => randomUUID());
      await db.sql`delete from vector_sync.index_state where index_name = ${INDEX}`;
      await db.sql`
        insert into vector_sync.index_state (index_name, document_id, content_hash)
        select ${INDEX}, u, ${contentHash('seed')} from unnest(${shuffled(ids, next)}::text[]) as u`;
      const batches = clients.map(() => shuffled(ids, next).slice(0, 48));
      // Act: chunks (or two attempts of one chunk) record what they put and what they deleted.
      const results = await atOnce(db.sql, clients, async (sql, racer) => {
        const batch = batches[racer] ?? [];
        if (racer % 2 === 0) return sql`select vector_sync.upsert_index_state(${INDEX}, ${batch}::text[], ${batch.map(() => contentHash(`round ${round} by ${racer}`))}::text[])`;
        return sql`select vector_sync.delete_index_state(${INDEX}, ${batch}::text[])`;
      });
      // Assert: nobody failed; a row left is the seed or one of the upserts of this round.
      expect(failures(results), `round ${round}`).toEqual([]);
      const allowed = new Set([contentHash('seed'), ...clients.map((_, racer) => contentHash(`round ${round} by ${racer}`))]);
      const rows = await db.sql<{ document_id: string; content_hash: string }[]>`select document_id, content_hash from vector_sync.index_state where index_name = ${INDEX}`;
      for (const row of rows) expect(allowed.has(row.content_hash), `round ${round}, ${row.document_id}`).toBe(true);
      // A deleted id is gone unless an upsert of it came after; an id nobody deleted is still there.
      const deleted = new Set(batches.filter((_, racer) => racer % 2 === 1).flat());
      const kept = ids.filter((id) => !deleted.has(id));
      expect(rows.map((row) => row.document_id)).toEqual(expect.arrayContaining(kept));
    }
  });

  it.each(['sync', 'rebuild'] as const)('records the items of a %s run from racing chunks once per document, without a deadlock', async (op) => {
    const next = random(op === 'sync' ? 5 : 6);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: a sync run knows its ids up front (rows exist); a rebuild discovers them (rows are new).
      const ids = Array.from({ length: 64 }, () => randomUUID());
      const runId = await openRun(db.sql, op, op === 'sync' ? shuffled(ids, next) : null);
      const batches = clients.map(() => shuffled(ids, next).slice(0, 48));
      // Act
      const results = await atOnce(db.sql, clients, (sql, racer) => sql`
        select vector_sync.record_items(${runId}::uuid, ${batches[racer] ?? []}::text[], 'upsert', ${racer % 2 === 0 ? 'upserted' : 'failed'})`);
      // Assert: nobody failed, one item per document.
      expect(failures(results), `round ${round}`).toEqual([]);
      const [row] = await db.sql<{ items: number; documents: number }[]>`
        select count(*)::int as items, count(distinct document_id)::int as documents from vector_sync.run_items where run_id = ${runId}::uuid`;
      const expected = op === 'sync' ? ids.length : new Set(batches.flat()).size;
      expect(row, `round ${round}`).toEqual({ items: expected, documents: expected });
    }
  });

  it('keeps the first rejection of a document when two attempts of a chunk record it at once', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare
      const documentId = randomUUID();
      const runId = await openRun(db.sql, 'rebuild', null);
      const reasons = ['DimensionMismatch', 'NonFiniteValue', 'ZeroVectorOnCosine', 'MetadataTooLarge', 'InvalidKey', 'TooManyMetadataKeys'];
      // Act
      const answers = fulfilled(
        await atOnce(db.sql, clients, async (sql, racer) => (await sql<{ reason: string }[]>`
          select reason from vector_sync.record_rejection(${runId}::uuid, null, ${documentId}, ${reasons[racer] ?? 'InvalidArgument'}, ${`attempt ${racer}`})`)[0]?.reason),
      );
      // Assert: one row, and every caller was answered with it.
      const rows = await db.sql<{ reason: string }[]>`select reason from vector_sync.rejections where run_id = ${runId}::uuid`;
      expect(rows, `round ${round}`).toHaveLength(1);
      expect(new Set(answers), `round ${round}`).toEqual(new Set([rows[0]?.reason]));
    }
  });
});
