// What `npm start -- --database-url <url>` checks before it boots anything. The main job starts
// from empty emulators (OSS, OSS Vectors), so a database that already holds an earlier run's rows
// is refused: its documents, runs and index generations would point at vectors that no longer
// exist, and the final verify would find drift the run did not cause.
import postgres from 'postgres';
import type { Sql } from 'postgres';

/** Extensions the migrations create unconditionally (pg_cron and pg_net only where available). */
const REQUIRED_EXTENSIONS = ['vector', 'pgmq', 'pgcrypto'] as const;

/** Tables whose rows mean an earlier run used the database: [singular, plural, table]. */
const EARLIER_RUN_TABLES = [
  ['document', 'documents', 'public.source_documents'],
  ['run', 'runs', 'vector_sync.runs'],
  ['index generation', 'index generations', 'vector_sync.indexes'],
] as const;

/** A database URL without its user and password, for messages and logs. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // Not a URL: cut everything between the scheme and the last '@' before the path.
    return url.replace(/\/\/[^/]*@/u, '//');
  }
}

/** The reason the URL is not a Postgres URL, or undefined when it is one. */
function urlProblem(databaseUrl: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    // The value itself is not repeated: it may hold a password.
    return 'the database URL is not a URL (expected postgres://user:password@host:port/database)';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `the database URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`;
  }
  return undefined;
}

/**
 * Why the main job cannot run on `databaseUrl`, or undefined when it can: the URL is not a
 * Postgres URL, the database does not answer, an extension the migrations need is not available,
 * or an earlier run's rows are in it. Messages never carry the URL's credentials.
 */
export async function mainJobDatabaseProblem(databaseUrl: string): Promise<string | undefined> {
  const badUrl = urlProblem(databaseUrl);
  if (badUrl !== undefined) return badUrl;
  const where = withoutCredentials(databaseUrl);
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 10, prepare: false, onnotice: () => undefined, connection: { application_name: 'npm-start-check' } });
  try {
    const available = await sql<{ name: string }[]>`select name from pg_catalog.pg_available_extensions where name = any(${[...REQUIRED_EXTENSIONS]})`;
    const missing = REQUIRED_EXTENSIONS.filter((name) => !available.some((row) => row.name === name));
    if (missing.length > 0) return `${where} cannot have the extension(s) ${missing.join(', ')} (not in pg_available_extensions); the migrations need ${REQUIRED_EXTENSIONS.join(', ')}`;
    const found = await earlierRunRows(sql);
    if (found.length === 0) return undefined;
    return `${where} already holds ${found.join(', ')} from an earlier run; the main job starts from empty emulators and needs a database without them (for the throwaway server: npm run pg:down && npm run pg:up, then use the new URL)`;
  } catch (error) {
    // Unreachable, refused, wrong password, no such database: postgres.js says which.
    return `cannot use ${where}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** "3000 documents", "1 run", ... for each table of an earlier run that has rows. */
async function earlierRunRows(sql: Sql): Promise<string[]> {
  const found: string[] = [];
  for (const [singular, plural, table] of EARLIER_RUN_TABLES) {
    const [exists] = await sql<{ name: string | null }[]>`select to_regclass(${table})::text as name`;
    if (exists?.name == null) continue;
    // The table name comes from the list above, never from input.
    const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
    const n = row?.n ?? 0;
    if (n > 0) found.push(`${String(n)} ${n === 1 ? singular : plural}`);
  }
  return found;
}
