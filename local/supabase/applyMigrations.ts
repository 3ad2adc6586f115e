import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { MigrationError } from './errors';

/** The project's migrations folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/u;

/** One migration file, in the Supabase CLI's naming. */
export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly path: string;
}

/** The migrations in a folder, oldest first; a file that does not follow the naming is an error. */
export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) throw new MigrationError(`${file} is not named <14-digit timestamp>_<verb_phrase>.sql`);
      return { version: match[1] ?? '', name: match[2] ?? '', path: join(dir, file) };
    });
}

/**
 * Applies the migrations not yet recorded, each in its own transaction, and records them in
 * `supabase_migrations.schema_migrations` as the Supabase CLI does. Returns the versions applied.
 */
export async function applyMigrations(db: PGlite, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (version text primary key, name text, statements text[]);
  `);
  const done = new Set((await db.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map((row) => row.version));
  const applied: string[] = [];
  for (const migration of listMigrations(dir)) {
    if (done.has(migration.version)) continue;
    const sql = readFileSync(migration.path, 'utf8');
    try {
      await db.transaction(async (tx) => {
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
