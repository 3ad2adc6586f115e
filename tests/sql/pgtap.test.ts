// Runs every pgTAP file under supabase/tests/ (`<sql function or topic>/<behaviour>.test.sql`) on PGlite
// with the migrations applied and the test-helper schema `vector_sync_tests` loaded from
// supabase/tests/_helpers/ (test-only, never a migration). Each file holds its own `begin; select
// plan(n); ... select * from finish(); rollback;`, so files do not see each other.
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createDatabase } from '../../local/supabase';
import { parseTap } from './parseTap';

const dir = fileURLToPath(new URL('../../supabase/tests/', import.meta.url));
const helpers = join(dir, '_helpers', 'vector_sync_tests.sql');
// Named by their path under supabase/tests/, with forward slashes on every platform.
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.sql'))
  .map((file) => file.split(sep).join('/'))
  .sort();
let db: PGlite;

beforeAll(async () => {
  db = await createDatabase();
  await applyMigrations(db);
  await db.exec('create extension if not exists pgtap');
  await db.exec(readFileSync(helpers, 'utf8'));
});

afterAll(async () => {
  await db.close();
});

describe('pgTAP suite on PGlite', () => {
  it('has test files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s passes', async (file) => {
    // Prepare
    const sql = readFileSync(join(dir, file), 'utf8');
    // Act
    let results;
    try {
      results = await db.exec(sql);
    } finally {
      // A file that failed mid-transaction must not leave it open for the next one.
      await db.exec('rollback').catch(() => undefined);
    }
    const report = parseTap(results.flatMap((result) => result.rows.flatMap((row) => Object.values(row).map(String))));
    // Assert
    expect(report.failures, report.failures.join('\n')).toEqual([]);
    expect(report.planned, `${file} has no plan`).toBeGreaterThan(0);
    expect(report.ran, `${file} planned ${report.planned} tests and ran ${report.ran}`).toBe(report.planned);
  });
});
