// The chaos run's Postgres fault proxy in front of the local Postgres: it cuts connections in
// flight (the answer withheld), idle or before they reach the server, and the database stays
// usable for everyone else - on PGlite too, whose one backend is shared by every connection.
import postgres from 'postgres';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, startPostgresFaultProxy } from '../../local/chaos';
import type { PostgresFaultProxy } from '../../local/chaos';
import type { LocalPostgres } from '../../local/supabase';
import { startTestPostgres } from '../helpers/database';

let pg: LocalPostgres;
let proxy: PostgresFaultProxy;
let direct: Sql;
const clients: Sql[] = [];

function throughProxy(max = 1): Sql {
  const sql = postgres(proxy.urlFor(pg.url), { max, prepare: false, onnotice: () => undefined, connect_timeout: 5 });
  clients.push(sql);
  return sql;
}

beforeAll(async () => {
  pg = await startTestPostgres();
  const url = new URL(pg.url);
  proxy = await startPostgresFaultProxy({ host: url.hostname, port: Number(url.port) }, new SeededRandom(7));
  direct = postgres(pg.url, { max: 1, prepare: false, onnotice: () => undefined });
  await direct`create table if not exists public.proxy_probe (id int primary key)`;
}, 60_000);

afterAll(async () => {
  for (const sql of clients) await sql.end({ timeout: 1 }).catch(() => undefined);
  await direct.end({ timeout: 1 });
  await proxy.close();
  await pg.close();
});

describe('the Postgres fault proxy', () => {
  it('cuts a connection in flight after the server answered, without the answer, and the statement stands', async () => {
    // Prepare
    const sql = throughProxy();
    await sql`select 1`;
    // Act: the insert commits on the server, but the client never hears so
    const insert = sql`insert into public.proxy_probe (id) values (1)`.then(() => 'answered', (error: unknown) => (error instanceof Error ? error.message : String(error)));
    proxy.dropInFlight(1);
    const outcome = await insert;
    // Assert
    expect(outcome).not.toBe('answered');
    expect(proxy.counts.droppedInFlight).toBe(1);
    expect(await direct`select id from public.proxy_probe where id = 1`).toHaveLength(1);
    expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
  });

  it('cuts a connection inside a transaction and the server rolls the transaction back', async () => {
    // Prepare: a transaction opened by hand, one row written in it. (Not sql.begin: postgres.js
    // 3.4.9 then writes ROLLBACK on the dead socket and throws an uncatchable TypeError, upstream
    // porsager/postgres#1154 and #1208.)
    const sql = throughProxy();
    await sql.unsafe('begin');
    await sql`insert into public.proxy_probe (id) values (2)`;
    // Act
    const insert = sql`insert into public.proxy_probe (id) values (3)`.then(() => 'answered', () => 'cut');
    proxy.dropInFlight(1);
    const outcome = await insert;
    // Assert: nothing of it is left, and the database takes other work at once
    expect(outcome).toBe('cut');
    expect(await direct`select id from public.proxy_probe where id in (2, 3)`).toEqual([]);
    expect(await direct`select count(*)::int as n from public.proxy_probe`).toEqual([{ n: 1 }]);
  });

  it('cuts idle connections and refuses new ones, and the pool reconnects afterwards', async () => {
    // Prepare
    const sql = throughProxy(2);
    await Promise.all([sql`select 1`, sql`select 1`]);
    // Act
    const cut = proxy.dropIdle(5);
    proxy.refuseNext(1);
    const refused = await sql`select 1`.then(() => 'answered', () => 'refused');
    const after = await sql`select 3 as three`;
    // Assert
    expect(cut).toBeGreaterThan(0);
    expect(refused).toBe('refused');
    expect(proxy.counts.refused).toBe(1);
    expect(after).toEqual([{ three: 3 }]);
  });
});
