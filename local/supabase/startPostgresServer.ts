import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { LocalSupabaseDefaults } from './constants';
import { LocalSupabaseError } from './errors';
import { findFreePort } from './startEdgeRuntime';
import { applyMigrations, sqlMigrationTarget } from './startPostgres';

const run = promisify(execFile);

/** The Debian layout of PostgreSQL 15 (`postgresql-15`); scripts/pg-install.sh installs the rest. */
export const PostgresServerDefaults = {
  major: 15,
  binDir: '/usr/lib/postgresql/15/bin',
  extensionDir: '/usr/share/postgresql/15/extension',
  /** Extensions the migrations and the SQL tests need, by control file. */
  extensions: ['vector', 'pgmq', 'pg_cron', 'pgtap'],
  /** initdb and the server refuse to run as root: as root they run as this user. */
  osUser: 'postgres',
  /** The database pg_cron runs its jobs in (`cron.database_name`). */
  cronDatabase: 'postgres',
  /** Migrated once per server; every test database is a copy (CREATE DATABASE … TEMPLATE). */
  templateDatabase: 'vector_sync_template',
  maxConnections: 300,
  startTimeoutSeconds: 30,
} as const;

/** The real server cannot start here: what is missing and how to get it. */
export class PostgresServerUnavailableError extends LocalSupabaseError {
  override name = 'PostgresServerUnavailableError';
}

/** What is missing for a real PostgreSQL 15 here, or undefined when everything is in place. */
export function postgresServerMissing(): string | undefined {
  const { binDir, extensionDir, extensions } = PostgresServerDefaults;
  const missing = [
    ...['initdb', 'pg_ctl', 'postgres'].filter((tool) => !existsSync(join(binDir, tool))).map((tool) => `${binDir}/${tool}`),
    ...extensions.filter((name) => !existsSync(join(extensionDir, `${name}.control`))).map((name) => `extension ${name}`),
  ];
  return missing.length === 0 ? undefined : `${missing.join(', ')} missing: run 'sudo bash scripts/pg-install.sh' (after npm ci)`;
}

/** Settings of a throwaway server. */
export interface PostgresServerOptions {
  /** TCP port on 127.0.0.1; default a free one. */
  readonly port?: number;
  /** An empty or missing directory for the cluster; default a new one under the OS temp dir, removed at stop. */
  readonly dataDir?: string;
  /** Receives progress lines (JSON). */
  readonly log?: (line: string) => void;
}

/** A running PostgreSQL 15 with pgvector, pgmq, pg_cron and pgTAP. */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database (pg_cron's database). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Process id of the postmaster. */
  readonly pid: number;
  /** URL of `name` on this server (the database need not exist). */
  urlOf(name: string): string;
  /** Creates the migrated template once (idempotent); returns its name. */
  prepareTemplate(): Promise<string>;
  /** Stops the server (fast shutdown) and removes a data directory it created. */
  stop(): Promise<void>;
}

function asPostgresUser(): { readonly uid: number; readonly gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith(`${PostgresServerDefaults.osUser}:`));
  const fields = passwd?.split(':');
  if (!fields || fields.length < 4) throw new PostgresServerUnavailableError(`running as root, but there is no '${PostgresServerDefaults.osUser}' user to run PostgreSQL as (install postgresql-15)`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Runs a server tool, as the postgres user when we are root. */
async function tool(name: string, args: readonly string[], owner: { uid: number; gid: number } | undefined): Promise<string> {
  const file = join(PostgresServerDefaults.binDir, name);
  try {
    const { stdout } = await run(file, [...args], { ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }), env: { ...process.env, LC_ALL: 'C.UTF-8' }, timeout: 120_000 });
    return stdout;
  } catch (error) {
    const detail = error instanceof Error ? `${error.message}${'stderr' in error ? `\n${String(error.stderr)}` : ''}` : String(error);
    throw new LocalSupabaseError(`${name} ${args.join(' ')} failed: ${detail}`, { cause: error });
  }
}

/** Settings for a throwaway cluster: loopback only, pg_cron preloaded, durability off for speed. */
function serverConfig(port: number, dataDir: string): string {
  return [
    '# oss-vector-sync: a throwaway test server (local/supabase/startPostgresServer.ts)',
    `listen_addresses = '${LocalSupabaseDefaults.host}'`,
    `port = ${port}`,
    `unix_socket_directories = '${dataDir}'`,
    `max_connections = ${PostgresServerDefaults.maxConnections}`,
    "shared_preload_libraries = 'pg_cron'",
    `cron.database_name = '${PostgresServerDefaults.cronDatabase}'`,
    // Jobs run in background workers, so pg_cron needs no password to connect to its database.
    'cron.use_background_workers = on',
    'max_worker_processes = 32',
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    "log_min_messages = 'warning'",
    "timezone = 'UTC'",
    '',
  ].join('\n');
}

/** Initialises a cluster in a fresh directory and starts it on 127.0.0.1. */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const missing = postgresServerMissing();
  if (missing !== undefined) throw new PostgresServerUnavailableError(`PostgreSQL ${PostgresServerDefaults.major} is not ready: ${missing}`);
  const log = options.log ?? (() => undefined);
  const owner = asPostgresUser();
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vector-sync-pg-'));
  if (owner !== undefined) chownSync(dataDir, owner.uid, owner.gid);
  const port = options.port ?? (await findFreePort());
  const { dbUser, dbPassword, host } = LocalSupabaseDefaults;
  const stopAndClean = (): Promise<void> => stopPostgresServer(dataDir, { remove: ownDir });
  try {
    log(JSON.stringify({ component: 'postgres-server', msg: 'initdb', dataDir }));
    const pwfile = join(dataDir, '..', `${dataDir.split('/').pop() ?? 'pg'}.pw`);
    writeFileSync(pwfile, `${dbPassword}\n`, { mode: 0o644 });
    try {
      await tool('initdb', ['-D', dataDir, '-U', dbUser, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], owner);
    } finally {
      rmSync(pwfile, { force: true });
    }
    await appendFile(join(dataDir, 'postgresql.conf'), serverConfig(port, dataDir));
    await tool('pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-w', '-t', String(PostgresServerDefaults.startTimeoutSeconds), 'start'], owner);
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    log(JSON.stringify({ component: 'postgres-server', msg: 'started', port, pid }));
    const urlOf = (name: string): string => `postgres://${dbUser}:${dbPassword}@${host}:${port}/${name}?sslmode=disable`;
    let template: Promise<string> | undefined;
    let stopped: Promise<void> | undefined;
    return {
      url: urlOf(PostgresServerDefaults.cronDatabase),
      port,
      dataDir,
      pid,
      urlOf,
      prepareTemplate() {
        template ??= createTemplate(urlOf, log);
        return template;
      },
      stop() {
        stopped ??= stopAndClean();
        return stopped;
      },
    };
  } catch (error) {
    const serverLog = join(dataDir, 'server.log');
    const tail = existsSync(serverLog) ? readFileSync(serverLog, 'utf8').split('\n').slice(-20).join('\n') : '';
    await stopAndClean();
    throw new LocalSupabaseError(`PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}${tail ? `\n--- server log ---\n${tail}` : ''}`, { cause: error });
  }
}

/** Stops the server of a data directory (fast shutdown) if it runs, and removes the directory if asked. */
export async function stopPostgresServer(dataDir: string, options: { readonly remove: boolean }): Promise<void> {
  if (existsSync(join(dataDir, 'postmaster.pid'))) await tool('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'], asPostgresUser()).catch(() => undefined);
  if (options.remove) rmSync(dataDir, { recursive: true, force: true });
}

/** Creates (or re-creates) the template database and applies the migrations to it. */
async function createTemplate(urlOf: (name: string) => string, log: (line: string) => void): Promise<string> {
  const name = PostgresServerDefaults.templateDatabase;
  const admin = postgres(urlOf(PostgresServerDefaults.cronDatabase), { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const sql = postgres(urlOf(name), { max: 1, onnotice: () => undefined });
  try {
    const applied = await applyMigrations(sqlMigrationTarget(sql));
    log(JSON.stringify({ component: 'postgres-server', msg: 'template migrated', database: name, migrations: applied.length }));
  } finally {
    await sql.end({ timeout: 1 });
  }
  return name;
}

/**
 * Creates a new database as a copy of a migrated template on the server of `adminUrl` and returns
 * its URL and a function that drops it. Copies take a fraction of a second; migrating takes several.
 */
export async function createDatabaseFromTemplate(adminUrl: string, template: string = PostgresServerDefaults.templateDatabase): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const name = `vector_sync_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end({ timeout: 1 });
      }
    },
  };
}
