import type { Sql } from 'postgres';
import type * as z from 'zod';
import { VectorSyncError } from '../errors.ts';
import { LedgerShapeError, toLedgerError } from './errors.ts';

/** One statement: postgres.js rows. */
export type Statement = (sql: Sql) => Promise<readonly Record<string, unknown>[]>;

/**
 * The query helpers every ledger class is built on: run one statement, turn a postgres.js failure
 * into the ledger's typed errors, parse the rows with a schema. Every SQL statement the TypeScript
 * side sends goes through a subclass of this (the functions' `Ledger`, the worker's `WorkerLedger`).
 */
export abstract class LedgerBase {
  constructor(protected readonly sql: Sql) {}

  /**
   * Runs `work` in one transaction with a ledger of the same class bound to it; a failure rolls
   * everything back. Keep it short: no network call or long loop inside (PGlite serialises all
   * transactions, and a pooled Supabase connection wants them brief).
   */
  async transaction<T>(work: (ledger: this) => Promise<T>): Promise<T> {
    const Same = this.constructor as new (sql: Sql) => this;
    try {
      // A transaction accepts the same queries as the pool; postgres.js types it separately.
      return (await this.sql.begin((tx) => work(new Same(tx as unknown as Sql)))) as T;
    } catch (error) {
      // The ledger's own errors pass as they are; a failure of BEGIN or COMMIT is sorted like a statement's.
      const fromPostgres = typeof error === 'object' && error !== null && 'code' in error && !(error instanceof VectorSyncError);
      throw fromPostgres ? toLedgerError('transaction', error) : error;
    }
  }

  /** Closes the pool (the worker at the end of a command; tests). */
  async close(timeoutSeconds = 5): Promise<void> {
    await this.sql.end({ timeout: timeoutSeconds });
  }

  /** Runs one statement; a failure becomes LedgerRefusedError or LedgerUnavailableError. */
  protected async query(operation: string, statement: Statement): Promise<readonly Record<string, unknown>[]> {
    try {
      return await statement(this.sql);
    } catch (error) {
      throw toLedgerError(operation, error);
    }
  }

  /** Every row, each parsed with `schema`. */
  protected async many<S extends z.ZodType>(operation: string, schema: S, statement: Statement): Promise<z.output<S>[]> {
    const rows = await this.query(operation, statement);
    return rows.map((row) => {
      const parsed = schema.safeParse(row);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new LedgerShapeError(`${operation} returned an unexpected row: ${issue?.path.join('.')} ${issue?.message}`, { cause: parsed.error });
      }
      return parsed.data;
    });
  }

  /** The first row, if any. */
  protected async maybe<S extends z.ZodType>(operation: string, schema: S, statement: Statement): Promise<z.output<S> | undefined> {
    return (await this.many(operation, schema, statement))[0];
  }

  /** The first row; none is a LedgerShapeError (the function always returns one). */
  protected async one<S extends z.ZodType>(operation: string, schema: S, statement: Statement): Promise<z.output<S>> {
    const row = await this.maybe(operation, schema, statement);
    if (row === undefined) throw new LedgerShapeError(`${operation} returned no row`);
    return row;
  }

  /** A boolean the statement selects as `flag`. */
  protected async flag(operation: string, statement: Statement): Promise<boolean> {
    return (await this.query(operation, statement))[0]?.flag === true;
  }

  /** A count the statement selects as `n` (bigint arrives as a string). */
  protected async count(operation: string, statement: Statement): Promise<number> {
    const value = Number((await this.query(operation, statement))[0]?.n ?? 0);
    if (!Number.isFinite(value)) throw new LedgerShapeError(`${operation} returned no count`);
    return value;
  }
}
