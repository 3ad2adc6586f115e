export { createDatabase } from './createDatabase';
export type { DatabaseOptions } from './createDatabase';
export { applyMigrations, listMigrations, MIGRATIONS_DIR } from './applyMigrations';
export type { Migration } from './applyMigrations';
export { LocalSupabaseError, MigrationError } from './errors';
