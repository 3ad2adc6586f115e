// Two or more drains of one pgmq queue at the same instant, through the QueueLedger calls the edge
// functions make (read_queue, delete_messages, retry_or_park, claim_change_batch), and drift scans
// started together.
// Each round releases the racers at once; the assertions read the final rows.
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { Queue, QueueLedger, RetryVerdict, Step } from '../../shared/ledger/QueueLedger.ts';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { doubledUnread, failures, queuedById, random, resetDocumentsAndQueues, shuffled } from './queueFixtures';

const RACERS = 6;
const ROUNDS = 20;
const MESSAGES = 40;
/** Long enough that no message comes back within a round. */
const VT_SECONDS = 60;
const DELAYS = { baseSeconds: 30, maxSeconds: 60 } as const;

/** Sends one `{"id"}` message per id, as the triggers would. */
async function sendJobs(sql: Sql, ids: readonly string[]): Promise<bigint[]> {
  const rows = await sql<{ msg_id: string }[]>`
    select pgmq.send_batch('embedding_jobs', array(select jsonb_build_object('id', u) from unnest(${[...ids]}::text[]) as u))::text as msg_id`;
  return rows.map((row) => BigInt(row.msg_id));
}

/** Per msg_id: rows in the queue, in the archive and in the dead letters. */
async function whereabouts(sql: Sql): Promise<Map<string, { queued: number; archived: number; parked: number; readCt: number; vtSeconds: number }>> {
  const rows = await sql<{ msg_id: string; queued: number; archived: number; parked: number; read_ct: number; vt_seconds: number }[]>`
    with ids as (
      select msg_id from pgmq.q_embedding_jobs union select msg_id from pgmq.a_embedding_jobs
      union select msg_id from vector_sync.dead_letters where queue = 'embedding_jobs'
    )
    select i.msg_id::text as msg_id,
      (select count(*)::int from pgmq.q_embedding_jobs as q where q.msg_id = i.msg_id) as queued,
      (select count(*)::int from pgmq.a_embedding_jobs as a where a.msg_id = i.msg_id) as archived,
      (select count(*)::int from vector_sync.dead_letters as l where l.queue = 'embedding_jobs' and l.msg_id = i.msg_id) as parked,
      coalesce((select q.read_ct from pgmq.q_embedding_jobs as q where q.msg_id = i.msg_id), 0) as read_ct,
      coalesce((select extract(epoch from q.vt - clock_timestamp())::float8 from pgmq.q_embedding_jobs as q where q.msg_id = i.msg_id), 0) as vt_seconds
    from ids as i`;
  return new Map(rows.map((row) => [row.msg_id, { queued: row.queued, archived: row.archived, parked: row.parked, readCt: row.read_ct, vtSeconds: row.vt_seconds }]));
}

describeOnServer('queue drains', () => {
  const db = useConcurrencyDatabase();
  let clients: Sql[];
  let ledgers: QueueLedger[];

  beforeAll(async () => {
    clients = await db.clients(RACERS);
    ledgers = clients.map((sql) => new QueueLedger(sql, DELAYS));
  });

  it('hands each message to exactly one of the concurrent drains, which deletes it once', async () => {
    let roundsShared = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare
      await resetDocumentsAndQueues(db.sql);
      const ids: string[] = Array.from({ length: MESSAGES }, () => randomUUID());
      await sendJobs(db.sql, ids);
      // Act: every drain reads small batches until the queue answers nothing, deleting what it read.
      const drains = fulfilled(
        await atOnce(db.sql, clients, async (_sql, racer) => {
          const ledger = ledgers[racer] as QueueLedger;
          const read: string[] = [];
          let deleted = 0;
          for (;;) {
            const messages = await ledger.readQueue(Queue.EmbeddingJobs, VT_SECONDS, 3);
            if (messages.length === 0) return { read, deleted };
            read.push(...messages.map((message) => message.documentId ?? 'none'));
            deleted += await ledger.deleteMessages(Queue.EmbeddingJobs, messages.map((message) => message.msgId));
          }
        }),
      );
      // Assert: every id read once in all (none twice, none missed), every message deleted once, none left.
      expect(drains.flatMap((drain) => drain.read).sort(), `round ${round}`).toEqual([...ids].sort());
      expect(drains.reduce((sum, drain) => sum + drain.deleted, 0), `round ${round}`).toBe(MESSAGES);
      expect((await whereabouts(db.sql)).size, `round ${round}`).toBe(0);
      if (drains.filter((drain) => drain.read.length > 0).length > 1) roundsShared += 1;
    }
    // The drains really shared the queue (else the test proves nothing about concurrent reads).
    expect(roundsShared).toBeGreaterThan(0);
  });

  it('claims each queued id into exactly one change batch when publish cycles overlap', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare
      await resetDocumentsAndQueues(db.sql);
      await db.sql`delete from vector_sync.change_batches`;
      const ids: string[] = Array.from({ length: MESSAGES }, () => randomUUID());
      await db.sql`select pgmq.send_batch('vector_sync', array(select jsonb_build_object('id', u) from unnest(${ids}::text[]) as u))`;
      // Act: every cycle claims small batches until the queue answers nothing.
      const results = await atOnce(db.sql, clients, async (_, i) => {
        const ledger = ledgers[i] as QueueLedger;
        const claimed: string[] = [];
        for (;;) {
          const batch = await ledger.claimChangeBatch('docs', 1 + (i % 4), VT_SECONDS);
          if (!batch) return claimed;
          claimed.push(batch.batchId);
        }
      });
      // Assert: no cycle failed; every id is in exactly one batch and the queue is empty
      expect(failures(results), `round ${round}`).toEqual([]);
      const rows = await db.sql<{ document_id: string; batches: number }[]>`
        select document_id, count(*)::int as batches from vector_sync.change_batch_items group by document_id`;
      expect(rows.length, `round ${round}`).toBe(MESSAGES);
      expect(rows.filter((row) => row.batches !== 1), `round ${round}`).toEqual([]);
      expect(new Set(rows.map((row) => row.document_id))).toEqual(new Set(ids));
      expect(fulfilled(results).flat().length).toBe((await db.sql`select batch_id from vector_sync.change_batches`).length);
      expect((await db.sql<{ n: number }[]>`select count(*)::int as n from pgmq.q_vector_sync`)[0]?.n).toBe(0);
    }
  });

  it('settles every message once as deleted, retried or parked when the drains fail some of them', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: each document's fate is fixed up front, so the final rows can be checked against it.
      await resetDocumentsAndQueues(db.sql);
      const ids: string[] = Array.from({ length: MESSAGES }, () => randomUUID());
      const fate = new Map(ids.map((id, i) => [id, (['handled', 'transient', 'permanent'] as const)[i % 3]]));
      const msgIds = await sendJobs(db.sql, ids);
      // Act
      const drains = fulfilled(
        await atOnce(db.sql, clients, async (_sql, racer) => {
          const ledger = ledgers[racer] as QueueLedger;
          const verdicts: string[] = [];
          for (;;) {
            const messages = await ledger.readQueue(Queue.EmbeddingJobs, VT_SECONDS, 3);
            if (messages.length === 0) return verdicts;
            const handled = messages.filter((message) => fate.get(message.documentId ?? '') === 'handled');
            await ledger.deleteMessages(Queue.EmbeddingJobs, handled.map((message) => message.msgId));
            for (const message of messages) {
              const kind = fate.get(message.documentId ?? '');
              if (kind === 'handled') continue;
              // embed-documents parks a permanent error at once (max attempts 1).
              verdicts.push(await ledger.retryOrPark(Queue.EmbeddingJobs, message.msgId, `${kind} failure`, Step.Embed, kind === 'permanent' ? 1 : 5));
            }
          }
        }),
      );
      // Assert
      const rows = await whereabouts(db.sql);
      msgIds.forEach((msgId, i) => {
        const where = rows.get(String(msgId)) ?? { queued: 0, archived: 0, parked: 0, readCt: 0, vtSeconds: 0 };
        const kind = fate.get(ids[i] as string);
        if (kind === 'handled') expect(where, `round ${round}, handled message ${msgId}`).toMatchObject({ queued: 0, archived: 0, parked: 0 });
        if (kind === 'permanent') expect(where, `round ${round}, parked message ${msgId}`).toMatchObject({ queued: 0, archived: 1, parked: 1 });
        if (kind === 'transient') {
          // Read once, waiting out its backoff: it comes back, it is not stuck.
          expect(where, `round ${round}, retried message ${msgId}`).toMatchObject({ queued: 1, archived: 0, parked: 0, readCt: 1 });
          expect(where.vtSeconds).toBeGreaterThan(0);
          expect(where.vtSeconds).toBeLessThanOrEqual(DELAYS.maxSeconds * 1.2 + 1);
        }
      });
      const verdicts = drains.flat();
      expect(verdicts.filter((verdict) => verdict === RetryVerdict.Parked)).toHaveLength(ids.filter((id) => fate.get(id) === 'permanent').length);
      expect(verdicts.filter((verdict) => verdict === RetryVerdict.Retry)).toHaveLength(ids.filter((id) => fate.get(id) === 'transient').length);
    }
  });

  it('parks a message failed at its last attempt by several drains at once exactly once', async () => {
    const next = random(18);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: every drain has read every message (each visibility timeout ran out before the next
      // read), so all of them hold all of them, at read_ct = RACERS >= the last attempt.
      await resetDocumentsAndQueues(db.sql);
      const msgIds = await sendJobs(db.sql, Array.from({ length: 8 }, () => randomUUID()));
      for (const ledger of ledgers) expect(await ledger.readQueue(Queue.EmbeddingJobs, 0, msgIds.length)).toHaveLength(msgIds.length);
      const orders = ledgers.map(() => shuffled(msgIds, next));
      // Act: every drain fails every message, each in its own order.
      const verdicts = fulfilled(
        await atOnce(db.sql, clients, async (_sql, racer) => {
          const ledger = ledgers[racer] as QueueLedger;
          const answers: RetryVerdict[] = [];
          for (const msgId of orders[racer] ?? []) answers.push(await ledger.retryOrPark(Queue.EmbeddingJobs, msgId, 'provider down', Step.Embed, 5));
          return answers;
        }),
      ).flat();
      // Assert: one parked verdict, one archived row and one dead letter per message; the queue is empty.
      expect(verdicts.filter((verdict) => verdict === RetryVerdict.Parked), `round ${round}`).toHaveLength(msgIds.length);
      const rows = await whereabouts(db.sql);
      for (const msgId of msgIds) expect(rows.get(String(msgId)), `round ${round}, message ${msgId}`).toMatchObject({ queued: 0, archived: 1, parked: 1 });
    }
  });

  it('ends a message read twice (its timeout ran out) either deleted or parked once when both readers settle it at once', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: each message was read by every drain; half the drains handled it, half failed it for good.
      await resetDocumentsAndQueues(db.sql);
      const msgIds = await sendJobs(db.sql, Array.from({ length: 8 }, () => randomUUID()));
      for (const ledger of ledgers) await ledger.readQueue(Queue.EmbeddingJobs, 0, msgIds.length);
      // Act
      fulfilled(
        await atOnce(db.sql, clients, async (_sql, racer) => {
          const ledger = ledgers[racer] as QueueLedger;
          if (racer % 2 === 0) return ledger.deleteMessages(Queue.EmbeddingJobs, msgIds);
          for (const msgId of msgIds) await ledger.retryOrPark(Queue.EmbeddingJobs, msgId, 'bad input', Step.Embed, 1);
          return 0;
        }),
      );
      // Assert: nothing waits in the queue; a message is either gone without a trace or parked once.
      const rows = await whereabouts(db.sql);
      for (const msgId of msgIds) {
        const where = rows.get(String(msgId)) ?? { queued: 0, archived: 0, parked: 0 };
        expect([{ queued: 0, archived: 0, parked: 0 }, { queued: 0, archived: 1, parked: 1 }], `round ${round}, message ${msgId}`).toContainEqual({
          queued: where.queued,
          archived: where.archived,
          parked: where.parked,
        });
      }
    }
  });

  it('queues each id once, without a deadlock, when senders of overlapping ids in different orders run at once', async () => {
    const next = random(21);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: verify's re-enqueue (WorkerLedger.enqueueSync) from several workers at once.
      await resetDocumentsAndQueues(db.sql);
      const ids = Array.from({ length: 30 }, () => randomUUID());
      const batches = clients.map(() => shuffled(ids, next).slice(0, 20));
      // Act
      const results = await atOnce(db.sql, clients, async (sql, racer) => (await sql<{ n: number }[]>`
        select vector_sync.send_unless_waiting('vector_sync', ${batches[racer] ?? []}::text[]) as n`)[0]?.n ?? 0);
      // Assert: nobody failed; every id sent has one unread message, and the counts add up to them.
      expect(failures(results), `round ${round}`).toEqual([]);
      const sentIds = new Set(batches.flat());
      expect(await doubledUnread(db.sql, 'vector_sync'), `round ${round}`).toEqual([]);
      expect([...(await queuedById(db.sql, 'vector_sync')).keys()].sort(), `round ${round}`).toEqual([...sentIds].sort());
      expect(fulfilled(results).reduce((sum, n) => sum + n, 0), `round ${round}`).toBe(sentIds.size);
    }
  });

  it('queues each drifted document once when drift scans run at the same time', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: documents without an embedding whose jobs are gone (parked, purged): drift's work.
      await resetDocumentsAndQueues(db.sql);
      const ids = (await db.sql<{ id: string }[]>`
        insert into public.source_documents (content) select 'document ' || n from generate_series(1, 30) as n returning id::text as id`).map((row) => row.id);
      await db.sql`select pgmq.purge_queue('embedding_jobs')`;
      // Act: pg_cron's scan and a manual call (or two overlapping cron runs).
      const sent = fulfilled(await atOnce(db.sql, clients, async (sql) => (await sql<{ n: number }[]>`select vector_sync.enqueue_drift() as n`)[0]?.n ?? 0));
      // Assert: one unread job per document, none doubled, and the scans' counts add up to the documents.
      expect(await doubledUnread(db.sql, 'embedding_jobs'), `round ${round}`).toEqual([]);
      const queued = await queuedById(db.sql, 'embedding_jobs');
      expect([...queued.keys()].sort(), `round ${round}`).toEqual([...ids].sort());
      expect(sent.reduce((sum, n) => sum + n, 0), `round ${round}`).toBe(ids.length);
    }
  });
});
