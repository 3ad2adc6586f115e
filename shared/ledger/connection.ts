// The postgres.js pool every component builds (functions, worker, edge functions).
import postgres from 'postgres';
import type { Sql } from 'postgres';

/** How a component connects to the Supabase Postgres. */
export interface SqlOptions {
  /** Connections in the pool; FC handlers need 1-2, the worker a few. */
  readonly max?: number;
  /** Seconds before an idle connection is closed (FC instances freeze between calls). */
  readonly idleTimeoutSeconds?: number;
  readonly connectTimeoutSeconds?: number;
  /** `application_name`, shown in pg_stat_activity. */
  readonly applicationName?: string;
}

/**
 * A postgres.js pool for SUPABASE_DB_URL. Prepared statements are off: Supabase's transaction
 * pooler (port 6543) and PGlite's shared backend both break named statements across connections.
 * TLS follows the URL's `sslmode` (Supabase URLs carry `sslmode=require`; local ones `disable`).
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 2,
    idle_timeout: options.idleTimeoutSeconds ?? 20,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    prepare: false,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'oss-vector-sync' },
  });
}
