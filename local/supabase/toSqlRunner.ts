import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import type { SqlRunner } from './types';

/** Where the scheduler runs its SQL: PGlite in process, or a postgres.js client (e.g. over the socket). */
export type SchedulerDatabase = { readonly db: PGlite } | { readonly sql: Sql };

/** A SqlRunner over either client. */
export function toSqlRunner(database: SchedulerDatabase): SqlRunner {
  if ('db' in database) {
    const { db } = database;
    return {
      query: async (text) => (await db.query<Record<string, unknown>>(text)).rows,
      execute: async (text) => {
        await db.exec(text);
      },
    };
  }
  const { sql } = database;
  return {
    query: async (text) => [...(await sql.unsafe<Record<string, unknown>[]>(text))],
    execute: async (text) => {
      // The simple protocol allows several statements in one command, as pg_cron does.
      await sql.unsafe(text).simple();
    },
  };
}
