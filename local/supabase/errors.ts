/** Base error of the local Supabase. */
export class LocalSupabaseError extends Error {
  override name = 'LocalSupabaseError';
}

/** A migration could not be read or applied. */
export class MigrationError extends LocalSupabaseError {
  override name = 'MigrationError';
}
