import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { applyMigrations } from './applyMigrations';
import { LocalSupabaseDefaults } from './constants';
import { createDatabase } from './createDatabase';
import { LocalSupabaseError } from './errors';
import { holdExtendedProtocol } from './holdExtendedProtocol';

/** Settings of a local Postgres. */
export interface PostgresOptions {
  /** A directory that keeps the data across restarts; default: in memory. */
  readonly dataDir?: string;
  /** Connections the socket accepts at once (they share one backend); default 20. */
  readonly maxConnections?: number;
  /** Migrations folder; default the project's `supabase/migrations`. */
  readonly migrationsDir?: string;
}

/** A running local Postgres: PGlite with the migrations applied, reachable over TCP. */
export interface LocalPostgres {
  /** The in-process database (queries here bypass the socket's per-connection transaction queue). */
  readonly db: PGlite;
  /** `postgres://postgres:postgres@127.0.0.1:<port>/postgres?sslmode=disable`. */
  readonly url: string;
  readonly port: number;
  /** Versions the start applied (empty when a kept data directory was up to date). */
  readonly appliedMigrations: readonly string[];
  /** Stops the socket server, then closes PGlite (which flushes a data directory). */
  close(): Promise<void>;
}

function listeningPort(server: PGLiteSocketServer): number {
  const port = Number(server.getServerConn().split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new LocalSupabaseError(`pglite-socket reports no port: ${server.getServerConn()}`);
  return port;
}

/** Starts PGlite, applies the migrations and serves it on 127.0.0.1 on a free port. */
export async function startPostgres(options: PostgresOptions = {}): Promise<LocalPostgres> {
  const db = await createDatabase(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  let server: PGLiteSocketServer | undefined;
  try {
    const appliedMigrations = await applyMigrations(db, ...(options.migrationsDir === undefined ? [] : [options.migrationsDir]));
    // maxConnections must be >= 2: postgres.js opens several, and the default of 1 drops the rest.
    server = new PGLiteSocketServer({ db: holdExtendedProtocol(db), host: LocalSupabaseDefaults.host, port: 0, maxConnections: options.maxConnections ?? LocalSupabaseDefaults.maxConnections });
    await server.start();
    const port = listeningPort(server);
    const { dbUser, dbPassword, dbName, host } = LocalSupabaseDefaults;
    const running = server;
    let closed: Promise<void> | undefined;
    return {
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
