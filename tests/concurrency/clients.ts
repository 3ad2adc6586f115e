// Concurrency on a real PostgreSQL: N separate connections that start a step at the same instant.
// The start is a database barrier: one connection holds an advisory lock, the others each wait for
// it, and releasing it lets all of them go at once, so their statements really overlap on the
// server (not one after another as on PGlite). Races inside a function body need luck as well:
// callers repeat a round many times.
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { serverDatabase } from '../helpers/database';

/** A fresh migrated database on the real server, with a pool for set-up and checks, dropped at the end. */
export interface ConcurrencyDatabase {
  readonly url: string;
  /** For set-up and assertions (not for the racing steps). */
  readonly sql: Sql;
  /** `n` connections of their own, one per racer. */
  clients(n: number): Promise<Sql[]>;
}

/** Registers beforeAll/afterAll that create and drop a database for the file; use inside describe. */
export function useConcurrencyDatabase(): ConcurrencyDatabase {
  let copy: Awaited<ReturnType<typeof serverDatabase>> | undefined;
  const pools: Sql[] = [];
  const db = {
    url: '',
    sql: undefined as unknown as Sql,
    async clients(n: number): Promise<Sql[]> {
      const made = Array.from({ length: n }, (_, i) => postgres(db.url, { max: 1, prepare: false, onnotice: () => undefined, connection: { application_name: `racer-${i}` } }));
      pools.push(...made);
      // Connect now, so the barrier measures statements, not connection set-up.
      await Promise.all(made.map((sql) => sql`select 1`));
      return made;
    },
  };
  beforeAll(async () => {
    copy = await serverDatabase();
    db.url = copy.url;
    db.sql = postgres(copy.url, { max: 4, prepare: false, onnotice: () => undefined });
    pools.push(db.sql);
  });
  afterAll(async () => {
    await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
    await copy?.drop();
  });
  return db;
}

const BARRIER_LOCK = 7_357_001;

/**
 * Runs `step(sql, i)` on every client at the same instant and settles them all. The holder (an
 * extra connection) takes the barrier lock; each racer waits for a shared hold of it, then runs its
 * step; the holder lets go once every racer is waiting.
 */
export async function atOnce<T>(holder: Sql, clients: readonly Sql[], step: (sql: Sql, index: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const reserved = await holder.reserve();
  try {
    await reserved`select pg_advisory_lock(${BARRIER_LOCK})`;
    const racing = clients.map(async (sql, index) => {
      await sql`select pg_advisory_lock_shared(${BARRIER_LOCK})`;
      await sql`select pg_advisory_unlock_shared(${BARRIER_LOCK})`;
      return step(sql, index);
    });
    // Wait until every racer is queued on the lock, then release them together.
    for (let waited = 0; ; waited += 5) {
      const [row] = await reserved<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${BARRIER_LOCK} and not granted`;
      if ((row?.n ?? 0) >= clients.length) break;
      if (waited > 10_000) throw new Error(`only ${row?.n ?? 0} of ${clients.length} racers reached the barrier`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await reserved`select pg_advisory_unlock(${BARRIER_LOCK})`;
    return await Promise.allSettled(racing);
  } finally {
    await reserved`select pg_advisory_unlock_all()`.catch(() => undefined);
    reserved.release();
  }
}

/** The fulfilled values, or throws the first rejection (for steps that must all succeed). */
export function fulfilled<T>(results: readonly PromiseSettledResult<T>[]): T[] {
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
