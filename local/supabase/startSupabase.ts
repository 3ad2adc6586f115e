import postgres from 'postgres';
import type { Sql } from 'postgres';
import type { Logger } from '../../shared/logging';
import { LocalSupabaseDefaults } from './constants';
import type { EdgeLogSink } from './EdgeFunctionProcess';
import { startEdgeRuntime } from './startEdgeRuntime';
import type { EdgeRuntime } from './startEdgeRuntime';
import { startPostgres } from './startPostgres';
import type { LocalPostgres } from './startPostgres';
import { startScheduler } from './startScheduler';
import type { Scheduler } from './startScheduler';

/** Settings of the whole local Supabase. */
export interface SupabaseOptions {
  /** An existing Postgres database to use instead of PGlite (migrations it lacks are applied). */
  readonly databaseUrl?: string;
  /** PGlite: keeps the database across restarts; default in memory. */
  readonly dataDir?: string;
  /** Variables for the edge functions besides Supabase's own (e.g. VECTOR_SYNC_FUNCTION_KEY). */
  readonly functionsEnv?: Readonly<Record<string, string>>;
  /** Run the jobs of `vector_sync.schedules` (pg_cron's part). */
  readonly schedule?: boolean;
  readonly functionsDir?: string;
  readonly functions?: readonly string[];
  /** Bearer key of scheduled calls; default functionsEnv.VECTOR_SYNC_FUNCTION_KEY, else the service role key. */
  readonly functionKey?: string;
  readonly timeScale?: number;
  readonly intervalOverrideMs?: number | Readonly<Record<string, number>>;
  readonly maxConnections?: number;
  readonly edgeLog?: EdgeLogSink;
  readonly logger?: Logger;
}

/** A running local Supabase: Postgres, edge functions and (optionally) the scheduler. */
export interface LocalSupabase {
  /** SUPABASE_DB_URL. */
  readonly dbUrl: string;
  /** SUPABASE_URL (the gateway). */
  readonly url: string;
  /** `<url>/functions/v1`. */
  readonly functionsUrl: string;
  readonly postgres: LocalPostgres;
  readonly edge: EdgeRuntime;
  readonly scheduler: Scheduler | undefined;
  /** Stops the scheduler, the functions, then the database. */
  close(): Promise<void>;
}

/** Starts Postgres (migrated), the edge runtime pointed at it and, with `schedule`, the scheduler. */
export async function startSupabase(options: SupabaseOptions = {}): Promise<LocalSupabase> {
  const pg = await startPostgres({
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  let edge: EdgeRuntime | undefined;
  let sql: Sql | undefined;
  let scheduler: Scheduler | undefined;
  const close = async (): Promise<void> => {
    await scheduler?.close();
    await edge?.close();
    await sql?.end({ timeout: 1 });
    await pg.close();
  };
  try {
    edge = await startEdgeRuntime({
      dbUrl: pg.url,
      ...(options.functionsEnv === undefined ? {} : { env: options.functionsEnv }),
      ...(options.functionsDir === undefined ? {} : { functionsDir: options.functionsDir }),
      ...(options.functions === undefined ? {} : { functions: options.functions }),
      ...(options.edgeLog === undefined ? {} : { log: options.edgeLog }),
    });
    if (options.schedule) {
      // Over the socket, not in process: PGlite's socket queue keeps other clients' transactions whole.
      sql = postgres(pg.url, { max: 1, prepare: false, onnotice: () => undefined });
      scheduler = await startScheduler({
        sql,
        gatewayUrl: edge.url,
        functionKey: options.functionKey ?? options.functionsEnv?.VECTOR_SYNC_FUNCTION_KEY ?? LocalSupabaseDefaults.serviceRoleKey,
        ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
        ...(options.intervalOverrideMs === undefined ? {} : { intervalOverrideMs: options.intervalOverrideMs }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { dbUrl: pg.url, url: edge.url, functionsUrl: edge.functionsUrl, postgres: pg, edge, scheduler, close };
}
