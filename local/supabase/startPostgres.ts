import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { pgmq } from '@electric-sql/pglite-pgmq';
import { vector } from '@electric-sql/pglite-pgvector';
import { pgtap } from '@electric-sql/pglite-pgtap';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import type { Sql, TransactionSql } from 'postgres';
import { LocalSupabaseDefaults } from './constants';
import { LocalSupabaseError, MigrationError } from './errors';

/** Where a local database keeps its data. */
export interface DatabaseOptions {
  /** A directory that keeps the data across restarts; default: in memory. */
  readonly dataDir?: string;
}

/**
 * A PGlite database with the extensions Supabase gives the project (pgvector, pgmq, pgcrypto)
 * plus pgTAP for the SQL tests. Extensions are only loadable; the migrations create them.
 */
export function createDatabase(options: DatabaseOptions = {}): Promise<PGlite> {
  return PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    extensions: { vector, pgmq, pgcrypto, pgtap },
  });
}

/** The project's migrations folder. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/u;

/** One migration file, in the Supabase CLI's naming. */
interface Migration {
  readonly version: string;
  readonly name: string;
  readonly path: string;
}

/** The migrations in a folder, oldest first; a file that does not follow the naming is an error. */
function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new MigrationError(`${file} is not named <14-digit timestamp>_<verb_phrase>.sql`);
      return { version: match[1] ?? '', name: match[2] ?? '', path: join(dir, file) };
    });
}

/** Where migrations are applied: PGlite in process, or any Postgres through postgres.js. */
export interface MigrationTarget {
  /** Runs a script of several statements (the simple protocol). */
  exec(text: string): Promise<void>;
  query<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  transaction(work: (tx: MigrationTarget) => Promise<void>): Promise<void>;
}

/** A MigrationTarget over PGlite. */
export function pgliteMigrationTarget(db: Pick<PGlite, 'exec' | 'query'> & { transaction?: PGlite['transaction'] }): MigrationTarget {
  return {
    exec: async (text) => {
      await db.exec(text);
    },
    query: async <T extends Record<string, unknown>>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    transaction: async (work) => {
      if (!db.transaction) throw new MigrationError('this PGlite handle cannot open a transaction');
      await db.transaction((tx) => work(pgliteMigrationTarget(tx)));
    },
  };
}

/** A MigrationTarget over a postgres.js client (a real server, or PGlite over its socket). */
export function sqlMigrationTarget(sql: Sql | TransactionSql): MigrationTarget {
  return {
    exec: async (text) => {
      await sql.unsafe(text).simple();
    },
    query: async <T extends Record<string, unknown>>(text: string, params?: unknown[]) => [...(await sql.unsafe<T[]>(text, params as never[]))],
    transaction: async (work) => {
      if (!('begin' in sql)) throw new MigrationError('nested transactions are not used by migrations');
      await sql.begin((tx) => work(sqlMigrationTarget(tx)));
    },
  };
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, and records them in
 * `supabase_migrations.schema_migrations` as the Supabase CLI does. Returns the versions applied.
 */
export async function applyMigrations(target: MigrationTarget, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  await target.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, name text, statements text[]);
  `);
  const done = new Set((await target.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((row) => row.version));
  const applied: string[] = [];
  for (const migration of listMigrations(dir)) {
    if (done.has(migration.version)) continue;
    const sql = readFileSync(migration.path, 'utf8');
    try {
      await target.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [migration.version, migration.name, [sql]]);
      });
    } catch (error) {
      throw new MigrationError(`migration ${migration.version}_${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    applied.push(migration.version);
  }
  return applied;
}

/** Frontend messages that end an extended-protocol sequence: Sync, and a simple Query. */
const SEQUENCE_END = new Set(['S', 'Q'].map((letter) => letter.charCodeAt(0)));
/** Frontend messages of the extended protocol: Parse, Bind, Describe, Execute, Close, Flush. */
const SEQUENCE_PART = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((letter) => letter.charCodeAt(0)));

/**
 * The database as pglite-socket's query queue should see it. The queue interleaves connections
 * message by message and keeps one connection to itself only inside an explicit transaction, so
 * two postgres.js connections sending Parse/Bind/Execute/Sync at once mix their unnamed
 * statements and portals ("bind message supplies 1 parameters, but prepared statement "" requires
 * 0", or one client reading the other's rows). Reporting "in transaction" from the first Parse
 * until its Sync makes the queue hold the connection for the whole sequence. A ROLLBACK the queue
 * runs for a client that went away ends the hold too.
 */
function holdExtendedProtocol(db: PGlite): PGlite {
  let midSequence = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => midSequence || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const kind = message[0] ?? 0;
          if (SEQUENCE_PART.has(kind)) midSequence = true;
          else if (SEQUENCE_END.has(kind)) midSequence = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      if (property === 'exec') {
        return (...args: Parameters<PGlite['exec']>) => {
          midSequence = false;
          return target.exec(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // PGlite keeps its state in private fields: methods must run on the real instance.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Settings of a local Postgres. */
export interface PostgresOptions {
  /**
   * An existing database to use instead of PGlite (a real server, a Supabase project's direct
   * connection): the migrations not yet recorded there are applied; close() leaves it as it is.
   */
  readonly databaseUrl?: string;
  /** PGlite: a directory that keeps the data across restarts; default: in memory. */
  readonly dataDir?: string;
  /** PGlite: connections the socket accepts at once (they share one backend); default 20. */
  readonly maxConnections?: number;
  /** Migrations folder; default the project's `supabase/migrations`. */
  readonly migrationsDir?: string;
}

/** Ad-hoc SQL on the local database (tests, benchmarks), the same for PGlite and a real server. */
export interface DatabaseClient {
  query<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ readonly rows: T[] }>;
  /** Runs a script of several statements. */
  exec(text: string): Promise<unknown>;
}

/** A running local Postgres: PGlite with the migrations applied and reachable over TCP, or a given database. */
export interface LocalPostgres {
  /** PGlite: 'pglite'; a database given by URL: 'server'. */
  readonly kind: 'pglite' | 'server';
  /** PGlite in process (queries here bypass the socket's per-connection transaction queue), or a small pool. */
  readonly db: DatabaseClient;
  /** `postgres://postgres:postgres@127.0.0.1:<port>/postgres?sslmode=disable`, or the URL given. */
  readonly url: string;
  readonly port: number;
  /** Versions the start applied (empty when the database was up to date). */
  readonly appliedMigrations: readonly string[];
  /** PGlite: stops the socket server, then closes PGlite (which flushes a data directory). A server: closes the pool. */
  close(): Promise<void>;
}

function listeningPort(server: PGLiteSocketServer): number {
  const port = Number(server.getServerConn().split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new LocalSupabaseError(`pglite-socket reports no port: ${server.getServerConn()}`);
  return port;
}

/** A DatabaseClient over a postgres.js pool. */
function sqlClient(sql: Sql): DatabaseClient {
  return {
    query: async <T extends Record<string, unknown>>(text: string, params?: unknown[]) => ({ rows: [...(await sql.unsafe<T[]>(text, params as never[]))] }),
    exec: (text) => sql.unsafe(text).simple(),
  };
}

/** Uses an existing database: applies the migrations it lacks and keeps a small pool for ad-hoc SQL. */
async function useDatabase(databaseUrl: string, migrationsDir: string | undefined): Promise<LocalPostgres> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined, connection: { application_name: 'local-supabase' } });
  try {
    const appliedMigrations = await applyMigrations(sqlMigrationTarget(sql), ...(migrationsDir === undefined ? [] : [migrationsDir]));
    let closed: Promise<void> | undefined;
    return {
      kind: 'server',
      db: sqlClient(sql),
      url: databaseUrl,
      port: Number(new URL(databaseUrl).port || 5432),
      appliedMigrations,
      close() {
        closed ??= sql.end({ timeout: 1 });
        return closed;
      },
    };
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw error;
  }
}

/** Starts PGlite, applies the migrations and serves it on 127.0.0.1 on a free port (or uses `databaseUrl`). */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  if (options.databaseUrl !== undefined) return useDatabase(options.databaseUrl, options.migrationsDir);
  const db = await createDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  let server: PGLiteSocketServer | undefined;
  try {
    const appliedMigrations = await applyMigrations(pgliteMigrationTarget(db), ...(options.migrationsDir === undefined ? [] : [options.migrationsDir]));
    // maxConnections must be >= 2: postgres.js opens several, and the default of 1 drops the rest.
    server = new PGLiteSocketServer({ db: holdExtendedProtocol(db), host: LocalSupabaseDefaults.host, port: 0, maxConnections: options.maxConnections ?? LocalSupabaseDefaults.maxConnections });
    await server.start();
    const port = listeningPort(server);
    const { dbUser, dbPassword, dbName, host } = LocalSupabaseDefaults;
    const running = server;
    let closed: Promise<void> | undefined;
    return {
      kind: 'pglite',
      db,
      url: `postgres://${dbUser}:${dbPassword}@${host}:${port}/${dbName}?sslmode=disable`,
      port,
      appliedMigrations,
      close() {
        closed ??= (async () => {
          await running.stop();
          await db.close();
        })();
        return closed;
      },
    };
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
