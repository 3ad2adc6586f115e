// Runs every pgTAP file under supabase/tests/ (`<sql function or topic>/<behaviour>.test.sql`) twice:
// on PGlite and on a real PostgreSQL 15 (tests/setup/postgresServer.ts), each with the migrations
// applied and the test-helper schema `vector_sync_tests` loaded from supabase/tests/_helpers/
// (test-only, never a migration). Each file holds its own `begin; select plan(n); ... select * from
// finish(); rollback;`, so files do not see each other.
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createDatabase, pgliteMigrationTarget } from '../../local/supabase';
import { describeOnServer, serverDatabase } from '../helpers/database';
import { parseTap } from './parseTap';

const dir = fileURLToPath(new URL('../../supabase/tests/', import.meta.url));
const helpers = readFileSync(join(dir, '_helpers', 'vector_sync_tests.sql'), 'utf8');
// Named by their path under supabase/tests/, with forward slashes on every platform.
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.sql'))
  .map((file) => file.split(sep).join('/'))
  .sort();

/** Runs a pgTAP script and returns every value it printed, in order. */
interface TapTarget {
  run(script: string): Promise<string[]>;
  close(): Promise<void>;
}

async function pgliteTarget(): Promise<TapTarget> {
  const db = await createDatabase();
  await applyMigrations(pgliteMigrationTarget(db));
  return {
    async run(script) {
      const results = await db.exec(script);
      return results.flatMap((result) => result.rows.flatMap((row) => Object.values(row).map(String)));
    },
    close: () => db.close(),
  };
}

async function serverTarget(): Promise<TapTarget> {
  const copy = await serverDatabase();
  const sql = postgres(copy.url, { max: 1, onnotice: () => undefined });
  return {
    async run(script) {
      const results = (await sql.unsafe(script).simple()) as unknown as Record<string, unknown>[][];
      return results.flatMap((rows) => (Array.isArray(rows) ? rows : []).flatMap((row) => Object.values(row).map(String)));
    },
    async close() {
      await sql.end({ timeout: 1 });
      await copy.drop();
    },
  };
}

function pgtapSuite(name: string, open: () => Promise<TapTarget>): void {
  describe(`pgTAP suite on ${name}`, () => {
    let target: TapTarget;

    beforeAll(async () => {
      target = await open();
      await target.run('create extension if not exists pgtap');
      await target.run(helpers);
    });

    afterAll(async () => {
      await target?.close();
    });

    it('has test files', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    it.each(files)('%s passes', async (file) => {
      // Prepare
      const script = readFileSync(join(dir, file), 'utf8');
      // Act
      let printed: string[];
      try {
        printed = await target.run(script);
      } finally {
        // A file that failed mid-transaction must not leave it open for the next one.
        await target.run('rollback').catch(() => undefined);
      }
      const report = parseTap(printed);
      // Assert
      expect(report.failures, report.failures.join('\n')).toEqual([]);
      expect(report.planned, `${file} has no plan`).toBeGreaterThan(0);
      expect(report.ran, `${file} planned ${report.planned} tests and ran ${report.ran}`).toBe(report.planned);
    });
  });
}

pgtapSuite('PGlite', pgliteTarget);

describeOnServer('the SQL suite', () => {
  pgtapSuite('PostgreSQL 15', serverTarget);
});
