// Which database a test runs on. PGlite by default; `DATABASE=postgres` runs the integration and
// end-to-end suites on the real PostgreSQL 15 the global setup started (tests/setup/postgresServer.ts),
// each caller on its own copy of the migrated template.
import { describe, inject } from 'vitest';
import { createDatabaseFromTemplate, startPostgres } from '../../local/supabase';
import type { LocalPostgres } from '../../local/supabase';

/** The target the integration and end-to-end suites use. */
export const databaseTarget: 'pglite' | 'postgres' = process.env.DATABASE === 'postgres' ? 'postgres' : 'pglite';

/** Superuser URL of the real server, or undefined when it is not available here. */
export function postgresServerUrl(): string | undefined {
  return inject('postgresServer') ?? undefined;
}

/** Why the real-server tests are skipped here (for skip messages). */
export function postgresServerSkipReason(): string {
  return inject('postgresServerMissing') ?? '';
}

/** A fresh, migrated database on the real server; drop() removes it. */
export async function serverDatabase(): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const admin = postgresServerUrl();
  if (admin === undefined) throw new Error(`no real PostgreSQL here: ${postgresServerSkipReason()}`);
  return createDatabaseFromTemplate(admin);
}

/** A URL for startSupabase/startLocalCloud when DATABASE=postgres (undefined: PGlite), and its cleanup. */
export async function testDatabaseUrl(): Promise<{ readonly databaseUrl: string | undefined; drop(): Promise<void> }> {
  if (databaseTarget === 'pglite') return { databaseUrl: undefined, drop: () => Promise.resolve() };
  const copy = await serverDatabase();
  return { databaseUrl: copy.url, drop: () => copy.drop() };
}

/** startPostgres on the suite's target: PGlite, or a fresh copy on the real server (dropped at close). */
export async function startTestPostgres(): Promise<LocalPostgres> {
  if (databaseTarget === 'pglite') return startPostgres();
  const copy = await serverDatabase();
  const pg = await startPostgres({ databaseUrl: copy.url });
  return {
    ...pg,
    close: async () => {
      await pg.close();
      await copy.drop();
    },
  };
}

/** A describe block that needs the real server: skipped, with the reason in its name, where there is none. */
export function describeOnServer(name: string, suite: () => void): void {
  const missing = postgresServerUrl() === undefined;
  describe.skipIf(missing)(`${name} on PostgreSQL 15${missing ? ` (skipped: ${postgresServerSkipReason()})` : ''}`, suite);
}
