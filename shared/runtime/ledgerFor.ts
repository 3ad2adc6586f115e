import type { Sql } from 'postgres';
import { createSql } from '../clients/postgres';
import { Ledger } from '../ledger';

const pools = new Map<string, { sql: Sql; ledger: Ledger }>();

/**
 * The instance's Postgres pool and ledger for SUPABASE_DB_URL. Two connections: a handler runs one
 * call at a time and issues at most a couple of independent reads together.
 */
export function ledgerFor(url: string, applicationName = 'oss-vector-sync-fc'): { sql: Sql; ledger: Ledger } {
  let entry = pools.get(url);
  if (!entry) {
    const sql = createSql(url, { max: 2, idleTimeoutSeconds: 10, applicationName });
    entry = { sql, ledger: new Ledger(sql) };
    pools.set(url, entry);
  }
  return entry;
}
