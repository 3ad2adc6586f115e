// Supabase extensions this machine's PostgreSQL lacks (Debian packages neither pg_net nor
// supabase_vault), stood in by SQL with the same schema, tables and function signatures, so the
// migrations' pg_cron jobs run here as on Supabase. Never migrations: they are installed on a test
// server by the code that needs them, and only where the real extension is not available.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LocalSupabaseError } from './errors';
import type { MigrationTarget } from './startPostgres';

/** Each stand-in: the extension it replaces, the schema it fills, and its SQL under local/supabase/sql/. */
export const StandIns = {
  /** pg_net's queue, response table and net.http_get/http_post/http_delete; pgNetCaller.ts is its worker. */
  pgNet: { extension: 'pg_net', schema: 'net', file: 'pg_net_stand_in.sql' },
  /** Vault's secrets table, decrypted_secrets view, create_secret and update_secret; nothing is encrypted. */
  vault: { extension: 'supabase_vault', schema: 'vault', file: 'vault_stand_in.sql' },
} as const;

/** The name of a stand-in. */
export type StandInName = keyof typeof StandIns;

/** A stand-in cannot be installed or removed here (the real extension is available, or owns the schema). */
export class StandInError extends LocalSupabaseError {
  override name = 'StandInError';
}

async function extensionAvailable(target: MigrationTarget, extension: string): Promise<boolean> {
  const rows = await target.query<{ found: boolean }>('select exists (select 1 from pg_catalog.pg_available_extensions where name = $1) as found', [extension]);
  return rows[0]?.found === true;
}

async function extensionInstalled(target: MigrationTarget, extension: string): Promise<boolean> {
  const rows = await target.query<{ found: boolean }>('select exists (select 1 from pg_catalog.pg_extension where extname = $1) as found', [extension]);
  return rows[0]?.found === true;
}

/**
 * Installs a stand-in (idempotent). Refuses where the real extension is available: there, create
 * the extension instead, so a test never runs against the stand-in by mistake.
 */
export async function installStandIn(target: MigrationTarget, name: StandInName): Promise<void> {
  const { extension, file } = StandIns[name];
  if (await extensionAvailable(target, extension)) throw new StandInError(`${extension} is available on this server: create extension ${extension} rather than installing its stand-in`);
  await target.exec(readFileSync(fileURLToPath(new URL(`./sql/${file}`, import.meta.url)), 'utf8'));
}

/** Drops a stand-in's schema and everything in it; refuses where the real extension is installed. */
export async function removeStandIn(target: MigrationTarget, name: StandInName): Promise<void> {
  const { extension, schema } = StandIns[name];
  if (await extensionInstalled(target, extension)) throw new StandInError(`${extension} is installed here: schema ${schema} is not a stand-in and is left in place`);
  await target.exec(`drop schema if exists ${schema} cascade`);
}
