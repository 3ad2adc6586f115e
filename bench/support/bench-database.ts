// The source database of the worker benchmarks: a throwaway PostgreSQL 15 (what Supabase runs in
// the cloud) when this machine has one, PGlite (what `npm start` uses) otherwise or when
// BENCH_DATABASE=pglite; migrated, then seeded with documents and random 384-dim embeddings in SQL.
import { createDatabaseFromTemplate, postgresServerMissing, startPostgres, startPostgresServer } from '../../local/supabase';
import type { DatabaseClient } from '../../local/supabase';

/** Which database the figures come from; every benchmark names it in its JSON. */
export type DatabaseKind = 'postgresql-15' | 'pglite';

/** A migrated database for one benchmark, dropped at close. */
export interface BenchDatabase {
  readonly kind: DatabaseKind;
  /** What the worker's settings file names as SUPABASE_DB_URL. */
  readonly url: string;
  readonly db: DatabaseClient;
  close(): Promise<void>;
}

/** Writes a progress line on stderr (stdout carries only the result line). */
export function progress(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
  process.stderr.write(`${JSON.stringify({ component: 'bench', msg: message, ...fields })}\n`);
}

/** A whole-number setting of a benchmark from the environment (sizes while developing), or its default. */
export function countFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not ${text}`);
  return value;
}

/**
 * A real server when BENCH_DATABASE is unset and PostgreSQL 15 is installed (scripts/pg-install.sh)
 * or BENCH_DATABASE=postgres; PGlite when BENCH_DATABASE=pglite or no server is installed.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const wanted = process.env.BENCH_DATABASE ?? (postgresServerMissing() === undefined ? 'postgres' : 'pglite');
  if (wanted === 'pglite') {
    progress('database: PGlite (no PostgreSQL 15 here, or BENCH_DATABASE=pglite)');
    const local = await startPostgres();
    return { kind: 'pglite', url: local.url, db: local.db, close: () => local.close() };
  }
  if (wanted !== 'postgres') throw new Error(`BENCH_DATABASE must be postgres or pglite, not ${wanted}`);
  const server = await startPostgresServer();
  try {
    const template = await server.prepareTemplate();
    const database = await createDatabaseFromTemplate(server.url, template);
    const local = await startPostgres({ databaseUrl: database.url });
    progress('database: PostgreSQL 15', { port: server.port });
    return {
      kind: 'postgresql-15',
      url: database.url,
      db: local.db,
      async close() {
        await local.close();
        await database.drop();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

const TOPICS = ['billing', 'search', 'storage', 'security', 'onboarding', 'analytics'];
const SOURCES = ['wiki', 'support-ticket', 'blog', 'forum', 'release-notes', 'runbook'];
const SEED_BATCH = 50_000;

function sqlTextArray(words: readonly string[]): string {
  return `array[${words.map((word) => `'${word}'`).join(', ')}]`;
}

/**
 * Adds `count` documents, each with a random 384-dim embedding (values in [-1, 1), as float4)
 * whose content_hash is the SHA-256 of its content, and metadata of three strings. The rows are
 * existing data, not changes: the enqueue triggers are off while seeding (session_replication_role),
 * and the HNSW index (Postgres-side similarity search, no part of the worker's key-ordered reads)
 * is dropped first, so 300k rows take seconds instead of minutes.
 */
export async function seedEmbeddings(db: DatabaseClient, count: number): Promise<number> {
  if (!Number.isInteger(count) || count < 0) throw new Error(`cannot seed ${count} rows`);
  await db.exec('drop index if exists public.document_embeddings_embedding_hnsw');
  const [existing] = (await db.query<{ n: string }>('select count(*)::text as n from public.document_embeddings')).rows;
  const start = Number(existing?.n ?? 0);
  for (let done = 0; done < count; done += SEED_BATCH) {
    const batch = Math.min(SEED_BATCH, count - done);
    const first = start + done + 1;
    // One script, so the replication role holds on the connection that inserts.
    await db.exec(`
      set session_replication_role = replica;
      with documents as (
        insert into public.source_documents (content, metadata)
        select 'bench document ' || n,
               jsonb_build_object('topic', (${sqlTextArray(TOPICS)})[1 + n % ${TOPICS.length}], 'source', (${sqlTextArray(SOURCES)})[1 + n % ${SOURCES.length}], 'seq', n::text)
        from generate_series(${first}, ${first + batch - 1}) as n
        returning id, content
      )
      insert into public.document_embeddings (document_id, content_hash, model, embedding)
      select d.id, encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), 'bench',
             -- Correlated on d.id, so each row gets vectors of its own.
             (select array_agg((random() * 2 - 1)::real) from generate_series(1, 384) where d.id is not null)::extensions.vector
      from documents as d;
      set session_replication_role = origin;`);
    progress('seeded', { rows: start + done + batch });
  }
  return start + count;
}

/**
 * Runs a worker benchmark's `main` and sets the exit code: a wrong result (or a thrown error, printed
 * as the benchmark's JSON line with `correct: false`) fails the run; a missed goal is a figure to
 * report (`pass: false`), not a failure.
 */
export async function runWorkerBench(bench: string, goals: unknown, main: () => Promise<boolean>): Promise<void> {
  await main().then(
    (correct) => {
      if (!correct) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stdout.write(`${JSON.stringify({ bench, pass: false, correct: false, goals, error: error instanceof Error ? error.message : String(error) })}\n`);
      process.exitCode = 1;
    },
  );
}
