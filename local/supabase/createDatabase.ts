import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { pgmq } from '@electric-sql/pglite-pgmq';
import { vector } from '@electric-sql/pglite-pgvector';
import { pgtap } from '@electric-sql/pglite-pgtap';

/** Where a local database keeps its data. */
export interface DatabaseOptions {
  /** A directory that keeps the data across restarts; default: in memory. */
  readonly dataDir?: string;
}

/**
 * A PGlite database with the extensions Supabase gives the project (pgvector, pgmq, pgcrypto)
 * plus pgTAP for the SQL tests. Extensions are only loadable; the migrations create them.
 */
export function createDatabase(options: DatabaseOptions = {}): Promise<PGlite> {
  return PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    extensions: { vector, pgmq, pgcrypto, pgtap },
  });
}
