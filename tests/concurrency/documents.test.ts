// Writers of one document at the same instant: application edits (the enqueue triggers), drift
// scans, drains of embed-documents (QueueLedger: read, sources, compare-and-set write, delete) and
// bare compare-and-set writes. Each round releases the racers at once; the assertions read the
// final rows: every change ends with an embedding of the final content or a job for it (nothing
// lost), at most one unread message per document and queue (nothing doubled), no deadlock.
import type { Sql } from 'postgres';
import { beforeAll, expect, it, onTestFinished } from 'vitest';
import { Queue, QueueLedger } from '../../shared/ledger/QueueLedger.ts';
import type { EmbeddingWrite } from '../../shared/ledger/QueueLedger.ts';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { doubledUnread, failures, queuedById, random, resetDocumentsAndQueues, shuffled, vectorOf, vectorText } from './queueFixtures';

const RACERS = 6;
const ROUNDS = 20;
/** Rounds whose racers sleep (to hold a lock or widen a window): each is slow, and each fails on its own without the fix. */
const HELD_ROUNDS = 10;
const MODEL = 'test:race';

/** Inserts documents (their insert queues a job each) and answers their ids, in id order. */
async function insertDocuments(sql: Sql, contents: readonly string[]): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.source_documents (content) select c from unnest(${[...contents]}::text[]) as c returning id::text as id`;
  return rows.map((row) => row.id).sort();
}

/** Stores an embedding of the current content, as a finished embed-documents run leaves it, and empties the queues. */
async function embedCurrent(sql: Sql, ids: readonly string[]): Promise<void> {
  await sql`
    insert into public.document_embeddings (document_id, content_hash, model, embedding)
    select d.id, encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), ${MODEL}, ${vectorText(0)}::extensions.vector
    from public.source_documents as d where d.id = any(${[...ids]}::uuid[])`;
  await sql`select pgmq.purge_queue('embedding_jobs'), pgmq.purge_queue('vector_sync')`;
}

/** A document written as one passage, the whole content (what embed-documents writes for a short one). */
function wholeDocument(source: { documentId: string; contentHash: string }, embedding: number[]): EmbeddingWrite {
  return { documentId: source.documentId, contentHash: source.contentHash, passages: [{ no: 0, hash: null, start: 0, chars: null, embedding }] };
}

/**
 * One embed-documents cycle: read jobs, read the sources, (the provider's time: `embedMs`), write
 * compare-and-set, delete every job read.
 */
async function embedOnce(ledger: QueueLedger, seed: number, embedMs = 0): Promise<{ readonly accepted: string[] }> {
  const messages = await ledger.readQueue(Queue.EmbeddingJobs, 60, 10);
  if (messages.length === 0) return { accepted: [] };
  const ids = [...new Set(messages.flatMap((message) => message.documentId ?? []))];
  const sources = await ledger.embeddingSources(ids);
  if (embedMs > 0) await new Promise((resolve) => setTimeout(resolve, embedMs));
  const refused = await ledger.writeEmbeddings(MODEL, sources.map((source) => wholeDocument(source, vectorOf(seed))));
  // embed-documents deletes the jobs of refused (stale) writes too: the edit that moved on queued its own.
  await ledger.deleteMessages(Queue.EmbeddingJobs, messages.map((message) => message.msgId));
  return { accepted: sources.map((source) => source.documentId).filter((id) => !refused.has(id)) };
}

/** Documents whose sidecar does not hold the hash of their content (or has no row), with no job left for them. */
async function lostDocuments(sql: Sql): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select d.id::text as id
    from public.source_documents as d
    left join public.document_embeddings as e on e.document_id = d.id
    where d.content ~ '\\S'
      and e.content_hash is distinct from encode(sha256(convert_to(d.content, 'UTF8')), 'hex')
      and not exists (select 1 from pgmq.q_embedding_jobs as q where q.message ->> 'id' = d.id::text)
    order by 1`;
  return rows.map((row) => row.id);
}

describeOnServer('document writes', () => {
  const db = useConcurrencyDatabase();
  let clients: Sql[];
  let ledgers: QueueLedger[];

  beforeAll(async () => {
    clients = await db.clients(RACERS);
    ledgers = clients.map((sql) => new QueueLedger(sql));
  });

  it('leaves exactly one unread job per changed document when edits of the same and other documents race drift scans', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: documents whose jobs are gone (parked or purged): both an edit and drift may queue them.
      await resetDocumentsAndQueues(db.sql);
      const ids = await insertDocuments(db.sql, ['shared', 'own 1', 'own 2', 'own 3', 'own 4', 'idle']);
      await db.sql`select pgmq.purge_queue('embedding_jobs')`;
      const shared = ids[0] as string;
      // Act: four editors change the shared document and one of their own in one transaction (in id
      // order, as an application must to avoid deadlocking itself); two drift scans run meanwhile.
      fulfilled(
        await atOnce(db.sql, clients, async (sql, racer) => {
          if (racer >= 4) return sql`select vector_sync.enqueue_drift()`;
          const own = ids[racer + 1] as string;
          return sql.begin(async (tx) => {
            for (const id of [shared, own].sort()) await tx`update public.source_documents set content = ${`round ${round} by ${racer}`} where id = ${id}`;
          });
        }),
      );
      // Assert: every document is stale (none embedded) and has exactly one unread job.
      expect(await doubledUnread(db.sql, 'embedding_jobs'), `round ${round}`).toEqual([]);
      expect([...(await queuedById(db.sql, 'embedding_jobs')).keys()].sort(), `round ${round}`).toEqual(ids);
    }
  });

  it('lets an application edit documents row by row in any order while drift scans run, without a deadlock', async () => {
    const next = random(13);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: stale documents without jobs, which drift queues.
      await resetDocumentsAndQueues(db.sql);
      const ids = await insertDocuments(db.sql, Array.from({ length: 12 }, (_, i) => `document ${i}`));
      await db.sql`select pgmq.purge_queue('embedding_jobs')`;
      const order = shuffled(ids, next);
      // Act: one transaction edits them one statement at a time in a random order; five drift scans.
      const results = await atOnce(db.sql, clients, async (sql, racer) => {
        if (racer > 0) return sql`select vector_sync.enqueue_drift()`;
        return sql.begin(async (tx) => {
          for (const id of order) await tx`update public.source_documents set content = ${`round ${round}`} where id = ${id}`;
        });
      });
      // Assert: nobody failed, and each document has its one job.
      expect(failures(results), `round ${round}`).toEqual([]);
      expect(await doubledUnread(db.sql, 'embedding_jobs'), `round ${round}`).toEqual([]);
      expect([...(await queuedById(db.sql, 'embedding_jobs')).keys()].sort(), `round ${round}`).toEqual(ids);
    }
  });

  it('keeps a job for an edit that commits while a drain takes the job already waiting for the document', async () => {
    for (let round = 0; round < HELD_ROUNDS; round += 1) {
      // Prepare: a new document; its insert queued a job that no drain has read yet.
      await resetDocumentsAndQueues(db.sql);
      const [id] = await insertDocuments(db.sql, ['first draft']);
      // Act: the application edits it in a transaction that does a little more work before it
      // commits; two drains start a moment after the edit's trigger saw the unread job.
      fulfilled(
        await atOnce(db.sql, clients.slice(0, 3), async (sql, racer) => {
          if (racer === 0) {
            return sql.begin(async (tx) => {
              await tx`update public.source_documents set content = ${`final text ${round}`} where id = ${id as string}`;
              await tx`select pg_sleep(0.05)`;
            });
          }
          await sql`select pg_sleep(0.01)`;
          return embedOnce(ledgers[racer] as QueueLedger, racer);
        }),
      );
      // Assert: the final content is embedded or a job for it remains.
      expect(await lostDocuments(db.sql), `round ${round}`).toEqual([]);
    }
  });

  it('never leaves a stale embedding without a job when compare-and-set writes race edits that undo a change', async () => {
    const next = random(7);
    // The race is between a write's hash check and its row write: a test-only trigger makes every
    // sidecar write take a moment, so that the edits below commit inside that window.
    await db.sql`create function public.race_slow_sidecar_write() returns trigger language plpgsql as $$ begin perform pg_sleep(0.01); return new; end $$`;
    await db.sql`create trigger race_slow_sidecar_write before insert or update on public.document_embeddings for each row execute function public.race_slow_sidecar_write()`;
    onTestFinished(async () => {
      await db.sql`drop trigger race_slow_sidecar_write on public.document_embeddings`;
      await db.sql`drop function public.race_slow_sidecar_write()`;
    });
    for (let round = 0; round < HELD_ROUNDS; round += 1) {
      // Prepare: 'A' is embedded; an edit to 'B' queued a job. An edit back to 'A' queues nothing
      // (the sidecar holds A's hash already): only the compare-and-set keeps B's vector out then.
      await resetDocumentsAndQueues(db.sql);
      const [id] = await insertDocuments(db.sql, ['A']);
      await embedCurrent(db.sql, [id as string]);
      await db.sql`update public.source_documents set content = 'B' where id = ${id as string}`;
      const roles = shuffled(['back to A', 'B again', 'drain', 'drain', 'write', 'write'] as const, next);
      // The edits start a little later, while the writes they race are under way.
      const starts = roles.map((role) => (role === 'back to A' || role === 'B again' ? 4 + Math.floor(next() * 8) : Math.floor(next() * 3)));
      // Act: two edits, two embed-documents drains, two writers that embed the content they read
      // (single-row write_embedding and the bulk write_embeddings).
      const outcomes = fulfilled(
        await atOnce(db.sql, clients, async (sql, racer) => {
          const ledger = ledgers[racer] as QueueLedger;
          const role = roles[racer];
          await new Promise((resolve) => setTimeout(resolve, starts[racer]));
          if (role === 'back to A' || role === 'B again') {
            await sql`update public.source_documents set content = ${role === 'back to A' ? 'A' : 'B'} where id = ${id as string}`;
            return [];
          }
          if (role === 'drain') {
            const first = await embedOnce(ledger, racer + 1);
            const second = await embedOnce(ledger, racer + 1);
            return [...first.accepted, ...second.accepted].map(() => racer + 1);
          }
          const [source] = await ledger.embeddingSources([id as string]);
          if (!source) return [];
          const accepted = racer % 2 === 0
            ? (await sql<{ ok: boolean }[]>`select count(*) = 1 as ok from vector_sync.write_embeddings(array[${source.documentId}]::uuid[], array[${source.contentHash}], array[0], array[null]::text[], array[0], array[null]::int[], ${MODEL}, array[${vectorText(racer + 1)}]::extensions.vector[], true)`)[0]?.ok === true
            : (await ledger.writeEmbeddings(MODEL, [wholeDocument(source, vectorOf(racer + 1))])).size === 0;
          return accepted ? [racer + 1] : [];
        }),
      ).flat();
      // Assert: nothing lost: the embedding is of the final content, or a job for the document remains.
      expect(await lostDocuments(db.sql), `round ${round}`).toEqual([]);
      // Nothing torn or invented: the stored vector is the initial one or one an accepted write stored.
      const [stored] = await db.sql<{ embedding: string }[]>`select embedding::text as embedding from public.document_embeddings where document_id = ${id as string}`;
      expect([0, ...outcomes].map(vectorText), `round ${round}`).toContain(stored?.embedding);
      // Every change of the sidecar was announced on vector_sync, once.
      expect(await doubledUnread(db.sql, 'vector_sync'), `round ${round}`).toEqual([]);
      if (stored?.embedding !== vectorText(0)) expect((await queuedById(db.sql, 'vector_sync')).get(id as string)?.unread, `round ${round}`).toBe(1);
      expect(await doubledUnread(db.sql, 'embedding_jobs'), `round ${round}`).toEqual([]);
    }
  });

  it.each(['touches only the metadata', 'rolls back its edit'] as const)('writes the embedding of a document held by a transaction that %s once it ends', async (kind) => {
    for (let round = 0; round < HELD_ROUNDS; round += 1) {
      // Prepare: new documents, their jobs waiting.
      await resetDocumentsAndQueues(db.sql);
      const ids = await insertDocuments(db.sql, ['one', 'two', 'three', 'four']);
      // Act: two drains read the jobs and the content; while they embed it, the application takes
      // the rows for a moment and leaves their content as it was, so the batch write finds them locked.
      fulfilled(
        await atOnce(db.sql, clients.slice(0, 3), async (sql, racer) => {
          if (racer > 0) return embedOnce(ledgers[racer] as QueueLedger, racer, 30);
          await sql`select pg_sleep(0.01)`;
          const held = sql.begin(async (tx) => {
            if (kind === 'rolls back its edit') await tx`update public.source_documents set content = content || ' (draft)' where id = any(${ids}::uuid[])`;
            else await tx`update public.source_documents set metadata = '{"reviewed": true}' where id = any(${ids}::uuid[])`;
            await tx`select pg_sleep(0.06)`;
            if (kind === 'rolls back its edit') throw new Error('rolled back');
          });
          return held.catch((error: unknown) => (error instanceof Error && error.message === 'rolled back' ? undefined : Promise.reject(error)));
        }),
      );
      // Assert: every document is embedded from its content, or still has its job.
      expect(await lostDocuments(db.sql), `round ${round}`).toEqual([]);
    }
  });

  it('lets bulk compare-and-set writes and multi-document edits in any order finish without a deadlock', async () => {
    const next = random(11);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: eight embedded documents, inserted in a random order so that the heap order is not the id order.
      await resetDocumentsAndQueues(db.sql);
      const ids = await insertDocuments(db.sql, shuffled(Array.from({ length: 8 }, (_, i) => `document ${i}`), next));
      await embedCurrent(db.sql, ids);
      const orders = clients.map(() => shuffled(ids, next));
      // Act: one application transaction edits the eight documents row by row in a random order (one
      // such transaction per round: two in different orders would deadlock each other, the
      // application's own doing); five writers store embeddings of what they read, each in its own order.
      const results = await atOnce(db.sql, clients, async (sql, racer) => {
        const ledger = ledgers[racer] as QueueLedger;
        if (racer === 0) {
          return sql.begin(async (tx) => {
            for (const docId of orders[0] ?? []) await tx`update public.source_documents set content = content || ' +' where id = ${docId}`;
          });
        }
        const sources = await ledger.embeddingSources(ids);
        const order = orders[racer] ?? [];
        sources.sort((a, b) => order.indexOf(a.documentId) - order.indexOf(b.documentId));
        return ledger.writeEmbeddings(MODEL, sources.map((source) => wholeDocument(source, vectorOf(racer))));
      });
      // Assert: nobody was chosen as a deadlock victim, and nothing was lost.
      expect(failures(results), `round ${round}`).toEqual([]);
      expect(await lostDocuments(db.sql), `round ${round}`).toEqual([]);
    }
  });
});
