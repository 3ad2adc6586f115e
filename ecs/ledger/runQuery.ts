import type { Sql } from 'postgres';
import { toLedgerError } from '../../shared/ledger';

/** Runs one statement and turns a postgres.js failure into the ledger's typed errors. */
export async function runQuery<T>(sql: Sql, operation: string, statement: (sql: Sql) => Promise<T>): Promise<T> {
  try {
    return await statement(sql);
  } catch (error) {
    throw toLedgerError(operation, error);
  }
}
