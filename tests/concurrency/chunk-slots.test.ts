// The pool's MAX_CHUNKS_IN_FLIGHT slots claimed at the same instant: chunks of several runs and
// copies of one chunk.ready reaching dispatch together. Each racer is one FC instance (its own
// connection); every round asserts that no more chunks hold a slot than the cap allows, and that
// every free slot was taken.
import type { Sql } from 'postgres';
import { beforeAll, expect, it } from 'vitest';
import { dispatchChunk } from '../../shared/domain/dispatch';
import type { DispatchChunkResult } from '../../shared/domain/dispatch';
import { Ledger } from '../../shared/ledger';
import type { ChunkPlan } from '../../shared/ledger';
import { describeOnServer } from '../helpers/database';
import { atOnce, fulfilled, useConcurrencyDatabase } from './clients';
import { activeIndex, bundleStore, ledgersOf, quietLog, rejections, syncRun, TokenCloud } from './runsFixtures';

const ROUNDS = 25;
const RACERS = 8;
/** Free slots per round: fewer than the racers, so most of them must be deferred. */
const FREE = 3;

describeOnServer('chunk slots claimed at once', () => {
  const db = useConcurrencyDatabase();
  let racers: Sql[] = [];
  let ledgers: Ledger[] = [];
  let ledger: Ledger;

  beforeAll(async () => {
    racers = await db.clients(RACERS);
    ledgers = ledgersOf(racers);
    ledger = new Ledger(db.sql);
    await activeIndex(ledger);
  });

  it('never plans more attempts than the free slots when chunks of several runs claim them at once', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Prepare: two runs of four waiting chunks; earlier rounds' claims still hold their slots,
      // so the cap is what they hold plus FREE
      const runs = [await syncRun(ledger, `slot${round}a`, 4, false), await syncRun(ledger, `slot${round}b`, 4, false)];
      const held = await ledger.chunkSlotsTaken();
      const cap = held + FREE;
      // Act: racer i claims chunk i % 4 of run i % 2: eight different chunks, one claim each
      const results = await atOnce<ChunkPlan>(db.sql, racers, (_, i) =>
        (ledgers[i] as Ledger).planChunkInstance({ runId: runs[i % 2]?.run_id ?? '', chunkNo: Math.floor(i / 2), attempt: 1, instanceId: `i-local000${i}`, maxInFlight: cap }),
      );
      // Assert: exactly the free slots were taken, the rest deferred, and the ledger agrees
      expect(rejections(results), `round ${round}`).toEqual([]);
      const outcomes = fulfilled(results).map((plan) => plan.outcome);
      expect(outcomes.filter((outcome) => outcome === 'planned'), `round ${round}: ${outcomes.join(' ')}`).toHaveLength(FREE);
      expect(outcomes.filter((outcome) => outcome === 'deferred'), `round ${round}`).toHaveLength(RACERS - FREE);
      expect(await ledger.chunkSlotsTaken(), `round ${round}`).toBe(cap);
    }
  });

  it('takes one slot per chunk when copies of its chunk.ready and other chunks reach dispatch at once', async () => {
    // Prepare
    const instanceIds = ['i-local0001', 'i-local0002', 'i-local0003'];
    for (let round = 0; round < ROUNDS; round += 1) {
      const runs = [await syncRun(ledger, `disp${round}a`, 3, false), await syncRun(ledger, `disp${round}b`, 3, false)];
      const cap = (await ledger.chunkSlotsTaken()) + FREE;
      const cloud = new TokenCloud();
      const deps = (i: number) => ({ ledger: ledgers[i] as Ledger, cloudAssistant: cloud, bundle: { store: bundleStore, prefix: 'workers/', version: '1.0.0' }, instanceIds, timeoutSeconds: 60, maxChunksInFlight: cap, log: quietLog() });
      // Act: racers 0 and 1 carry copies of one chunk.ready (run a, chunk 0); the others one chunk each
      const target = (i: number): { runId: string; chunkNo: number } => (i < 2 ? { runId: runs[0]?.run_id ?? '', chunkNo: 0 } : { runId: runs[i % 2]?.run_id ?? '', chunkNo: i % 3 });
      const results = await atOnce<DispatchChunkResult>(db.sql, racers, (_, i) => dispatchChunk(deps(i), target(i)));
      // Assert: at most FREE chunks dispatched (copies share one command), every free slot used,
      // and each chunk that did not get one is still ready and unplanned
      expect(rejections(results), `round ${round}`).toEqual([]);
      const answers = fulfilled(results);
      const dispatched = new Set(answers.flatMap((answer) => (answer.status === 'dispatched' ? [`${answer.runId}/${answer.chunkNo}`] : [])));
      expect(dispatched.size, `round ${round}: ${answers.map((answer) => answer.status).join(' ')}`).toBe(FREE);
      expect(cloud.invocations.size, `round ${round}`).toBe(FREE);
      expect(await ledger.chunkSlotsTaken(), `round ${round}`).toBe(cap);
      const chunks = [...(await ledger.chunks(runs[0]?.run_id ?? '')), ...(await ledger.chunks(runs[1]?.run_id ?? ''))];
      const waiting = chunks.filter((chunk) => !dispatched.has(`${chunk.run_id}/${chunk.chunk_no}`));
      expect(waiting.map((chunk) => [chunk.state, chunk.instance_id]), `round ${round}`).toEqual(waiting.map(() => ['ready', null]));
      expect(answers.filter((answer) => answer.status === 'deferred').length, `round ${round}`).toBeGreaterThan(0);
    }
  });
});
