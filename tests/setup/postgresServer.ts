// Vitest global setup: one throwaway PostgreSQL 15 (pgvector, pgmq, pg_cron, pgTAP) for the whole
// run, with the migrations applied to a template that tests copy (tests/helpers/database.ts).
// Run as root, it installs what is missing first (scripts/pg-install.sh; PG_INSTALL=never opts
// out). It is required in CI and with DATABASE=postgres; elsewhere, when the server cannot be
// installed, the real-server tests are skipped and the reason is printed once.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { TestProject } from 'vitest/node';
import { postgresServerMissing, startPostgresServer } from '../../local/supabase';
import type { PostgresServer } from '../../local/supabase';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the real server's `postgres` database, or null when it is not available here. */
    postgresServer: string | null;
    /** Why the real server is not available (null when it is). */
    postgresServerMissing: string | null;
  }
}

let server: PostgresServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const required = process.env.CI === 'true' || process.env.DATABASE === 'postgres';
  let missing = postgresServerMissing();
  if (missing !== undefined && userInfo().uid === 0 && process.env.PG_INSTALL !== 'never') {
    // As root on a fresh machine, `npm test` installs what it needs, as .ci/run does.
    process.stderr.write(`real PostgreSQL 15: ${missing}; running scripts/pg-install.sh\n`);
    execFileSync('bash', ['scripts/pg-install.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
    missing = postgresServerMissing();
  }
  if (missing !== undefined) {
    if (required) throw new Error(`the tests need a real PostgreSQL 15 (CI=${process.env.CI ?? ''}, DATABASE=${process.env.DATABASE ?? ''}): ${missing}`);
    process.stderr.write(`real-PostgreSQL tests are skipped: ${missing}\n`);
    project.provide('postgresServer', null);
    project.provide('postgresServerMissing', missing);
    return;
  }
  server = await startPostgresServer();
  await server.prepareTemplate();
  project.provide('postgresServer', server.url);
  project.provide('postgresServerMissing', null);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
