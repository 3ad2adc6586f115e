// Digests on a real PostgreSQL 15, where statements really overlap: reports held for a digest while
// its sender claims it and reads its runs, and timer ticks that race for one due digest. Every
// round asserts that no run is lost from its digest or counted in two, and that one sender wins.
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { Ledger } from '../../shared/ledger';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { ledgersOf, rejections } from './runsFixtures';

const ROUNDS = 20;
const RACERS = 6;
const MINUTES = 60;
const GRACE_SECONDS = 300;

/** A change-driven sync run of `logical`, finished at `finishedAt` and not yet settled. */
async function finishedChangeRun(sql: Sql, logical: string, tag: string, finishedAt: Date): Promise<string> {
  const [batch] = await sql<{ batch_id: string }[]>`insert into vector_sync.change_batches (logical_name, id_count) values (${logical}, 1) returning batch_id`;
  await sql`insert into vector_sync.change_batch_items (batch_id, document_id, changed_at) values (${batch?.batch_id ?? null}, ${`doc-${tag}`}, ${finishedAt})`;
  const [run] = await sql<{ run_id: string }[]>`select run_id from vector_sync.open_batch_run(${`evt-${tag}`}, ${batch?.batch_id ?? null}, ${`${logical}g1`}, 1)`;
  await sql`update vector_sync.runs set state = 'completed', chunk_count = 0, completed_at = ${finishedAt} where run_id = ${run?.run_id ?? null}`;
  return run?.run_id ?? '';
}

describeOnServer('digests at once', () => {
  const db = useConcurrencyDatabase();
  let racers: Sql[] = [];
  let ledgers: Ledger[] = [];
  let ledger: Ledger;
  // An hour window of yesterday: it has ended, so its digest is due as soon as a run is held for it.
  const windowStart = new Date(Math.floor((Date.now() - 86_400_000) / 3_600_000) * 3_600_000);
  const finishedAt = new Date(windowStart.getTime() + 5 * 60_000);

  beforeAll(async () => {
    racers = await db.clients(RACERS);
    ledgers = ledgersOf(racers);
    ledger = new Ledger(db.sql);
  });

  it('reads every run held into a window before its sender claimed it, and holds the later ones into another window', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: one run already held (the digest is pending and due), the others finished in the same window
      const logical = `hold${round}`;
      await ledger.registerIndex({ indexName: `${logical}g1`, logicalName: logical, bucket: 'vectors', dimension: 4, metric: 'cosine' });
      const first = await finishedChangeRun(db.sql, logical, `${logical}-0`, finishedAt);
      await ledger.settleReport({ runId: first, disposition: 'digest', archiveKey: `reports/${first}.html`, digestMinutes: MINUTES });
      const runs = await Promise.all(Array.from({ length: RACERS - 1 }, (_, i) => finishedChangeRun(db.sql, logical, `${logical}-${i + 1}`, finishedAt)));
      // Act: five reports are held while the sixth racer claims the digest and reads its runs, as a sender does
      const results = await atOnce(db.sql, racers, async (_, i) => {
        const own = ledgers[i] as Ledger;
        if (i < RACERS - 1) {
          await own.settleReport({ runId: runs[i] ?? '', disposition: 'digest', archiveKey: `reports/${runs[i] ?? ''}.html`, digestMinutes: MINUTES });
          return [];
        }
        const claimed = await own.claimDigest(logical, windowStart, GRACE_SECONDS, 5);
        return claimed ? (await own.digestRuns(logical, windowStart, 100)).map((row) => row.run_id) : ['not claimed'];
      });
      // Assess: the sender read exactly the runs that are in its window; every other run waits in a window still pending
      expect(rejections(results), `round ${round}`).toEqual([]);
      const read = fulfilled(results)[RACERS - 1] ?? [];
      expect(read, `round ${round}`).toContain(first);
      const placed = await db.sql<{ run_id: string; in_window: boolean; pending: boolean }[]>`
        select r.run_id, r.digest_window_start = ${windowStart} as in_window, d.state = 'pending' as pending
        from vector_sync.runs as r join vector_sync.digests as d on d.logical_name = ${logical} and d.window_start = r.digest_window_start
        where r.run_id = any(${[first, ...runs]}::uuid[])`;
      expect(placed, `round ${round}`).toHaveLength(RACERS);
      expect(placed.filter((row) => row.in_window).map((row) => row.run_id).sort(), `round ${round}`).toEqual([...read].sort());
      expect(placed.every((row) => row.in_window || row.pending), `round ${round}`).toBe(true);
    }
  });

  it('hands a due digest to one of the ticks that race for it', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare
      const logical = `tick${round}`;
      await ledger.registerIndex({ indexName: `${logical}g1`, logicalName: logical, bucket: 'vectors', dimension: 4, metric: 'cosine' });
      const run = await finishedChangeRun(db.sql, logical, `${logical}-0`, finishedAt);
      await ledger.settleReport({ runId: run, disposition: 'digest', archiveKey: `reports/${run}.html`, digestMinutes: MINUTES });
      // Act
      const results = await atOnce(db.sql, racers, (_, i) => (ledgers[i] as Ledger).claimDigest(logical, windowStart, GRACE_SECONDS, 5));
      // Assess
      expect(rejections(results), `round ${round}`).toEqual([]);
      expect(fulfilled(results).filter((claimed) => claimed !== undefined), `round ${round}`).toHaveLength(1);
      expect(await ledger.digest(logical, windowStart), `round ${round}`).toMatchObject({ state: 'sending', attempts: 1 });
    }
  });
});
