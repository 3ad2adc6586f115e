// The local cloud as the end-to-end benchmarks use it: booted as `npm start` boots it (default
// schedules and settings, the handlers and the worker from fresh bundles), seeded with documents
// whose embeddings are already committed (the embedding stage is skipped), and compared with the
// index by an independent ListVectors scan. Progress goes to stderr; function logs to a file.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';
import { StackDefaults, compareIndex, startLocalCloud } from '../../local/stack';
import type { LocalCloud } from '../../local/stack';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';

const root = fileURLToPath(new URL('../..', import.meta.url));
const started = performance.now();

/** A progress line on stderr, stamped with the seconds since the benchmark started. */
export function say(line: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
}

/** A positive whole number from the environment, or the default; anything else is refused. */
export function sizeFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, got ${text}`);
  return value;
}

/** A booted local cloud, where its logs go, and how to stop it. */
export interface BenchCloud {
  readonly cloud: LocalCloud;
  readonly logFile: string;
  close(): Promise<void>;
}

/**
 * Bundles the handlers and the worker from this tree (not whatever an earlier build left in dist/)
 * and boots the local cloud in `.local/bench/<name>` with the stack's defaults.
 */
export async function bootBenchCloud(name: string): Promise<BenchCloud> {
  const workDir = resolve(root, '.local', 'bench', name);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const distDir = join(workDir, 'dist');
  await Promise.all([...discoverFunctions(root, distDir), ...discoverWorker(root, distDir)].map((spec) => bundle(spec)));
  const logFile = join(workDir, 'functions.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const toLog = (line: string): void => {
    log.write(`${line}\n`);
  };
  say(`booting the local cloud in ${relative(process.cwd(), workDir)} (function logs: ${relative(process.cwd(), logFile)})`);
  const cloud = await startLocalCloud({ workDir, distDir, onFunctionOutput: toLog, onServiceLog: toLog });
  // Ctrl-C stops the stack first: its edge functions and workers are processes of their own.
  const interrupted = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping the local cloud`);
    void cloud.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    cloud,
    logFile,
    close: async () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      await cloud.close();
      log.end();
    },
  };
}

/** Documents per insert statement while seeding (each with its embedding jobs removed). */
const SEED_DOCUMENTS_PER_STATEMENT = 10_000;

/**
 * Seeds `count` documents and commits their embeddings, skipping the embedding stage. The documents
 * go in first (untimed); the embedding jobs their insert trigger queued are removed in the same
 * transaction, so embed-documents never sees them. Then one statement inserts every embedding (a
 * random 384-dim vector and the SHA-256 of the content, as embed-documents writes it): the sidecar's
 * statement trigger queues every id on `vector_sync` at that commit. Answers the commit time.
 *
 * The sidecar's HNSW index serves the application's similarity search, never the sync, and PGlite
 * builds it at about 4 ms a row here (7 minutes before the clock starts at 100,000 rows): this throwaway
 * database goes without it.
 */
export async function seedCommittedEmbeddings(sql: Sql, count: number): Promise<{ committedAt: number; seedSeconds: number }> {
  const seeding = performance.now();
  await sql`drop index if exists public.document_embeddings_embedding_hnsw`;
  for (let from = 1; from <= count; from += SEED_DOCUMENTS_PER_STATEMENT) {
    const through = Math.min(count, from + SEED_DOCUMENTS_PER_STATEMENT - 1);
    await sql.begin(async (tx) => {
      await tx`insert into public.source_documents (content, metadata)
               select 'Benchmark document ' || g || ' of ' || ${count}::int || ': ' || md5(g::text), jsonb_build_object('n', g)
               from generate_series(${from}::int, ${through}::int) as g`;
      await tx`delete from pgmq.q_embedding_jobs`;
    });
    say(`seeded ${through}/${count} documents (embedding jobs removed)`);
  }
  say(`committing ${count} embeddings in one statement`);
  // `where d.id is not null` ties the subquery to the row, so each row draws its own vector.
  await sql`insert into public.document_embeddings (document_id, content_hash, model, embedding)
            select d.id, encode(sha256(convert_to(d.content, 'UTF8')), 'hex'), 'bench-random',
                   (select array_agg(random() + 0.001) from generate_series(1, ${StackDefaults.dimension}::int) where d.id is not null)::extensions.vector
            from public.source_documents as d`;
  const committedAt = Date.now();
  return { committedAt, seedSeconds: (performance.now() - seeding) / 1000 };
}

/** One edit as the latency benchmark makes it: the new hash and the vector to look for. */
export interface Edit {
  readonly id: string;
  readonly hash: string;
  readonly vector: readonly number[];
  readonly committedAt: number;
}

/**
 * Edits one document and its embedding in one transaction, as an application that embeds its own
 * content would: the sidecar first (new vector, hash of the new content), then the content, whose
 * trigger then finds the embedding current and queues no embedding job. The sidecar's trigger
 * queues the id on `vector_sync` at the commit.
 */
export async function editDocument(sql: Sql, id: string, suffix: string): Promise<Edit> {
  const [row] = await sql.begin(async (tx) => {
    const [changed] = await tx<{ hash: string; vector: string }[]>`
      update public.document_embeddings as e
      set content_hash = encode(sha256(convert_to(d.content || ${suffix}, 'UTF8')), 'hex'),
          embedding = (select array_agg(random() + 0.001) from generate_series(1, ${StackDefaults.dimension}::int))::extensions.vector
      from public.source_documents as d
      where d.id = e.document_id and e.document_id = ${id}::uuid
      returning e.content_hash as hash, e.embedding::text as vector`;
    await tx`update public.source_documents set content = content || ${suffix} where id = ${id}::uuid`;
    return [changed];
  });
  if (row === undefined) throw new Error(`document ${id} has no embedding to edit`);
  return { id, hash: row.hash, vector: JSON.parse(row.vector) as number[], committedAt: Date.now() };
}

/** How the index differs from the sidecar table, by an independent scan (keys and content hashes). */
export async function indexDifference(cloud: LocalCloud): Promise<{ indexed: number; embeddings: number; missing: number; stale: number; orphaned: number; equal: boolean }> {
  const found = await compareIndex(cloud.sql, {
    logicalIndex: StackDefaults.logicalIndex,
    bucket: StackDefaults.vectorBucket,
    endpoint: cloud.ossVectors.endpoint,
    region: cloud.ossVectors.region,
    accountId: cloud.ossVectors.accountId,
    keys: cloud.keys.worker,
  });
  const difference = { indexed: found.indexed, embeddings: found.embeddings, missing: found.missing.length, stale: found.stale.length, orphaned: found.orphaned.length };
  return { ...difference, equal: difference.missing + difference.stale + difference.orphaned === 0 && found.indexed === found.embeddings };
}

/** Writes what went wrong on stderr (failed chunks and a failed worker run's output) before the stack goes away. */
export async function diagnose(bench: BenchCloud): Promise<void> {
  const { cloud } = bench;
  const failed = await cloud.sql<{ run_id: string; chunk_no: number; attempts: number; error: string | null }[]>`
    select run_id::text, chunk_no, attempts, error from vector_sync.chunks where state = 'failed' order by finished_at limit 5`.catch(() => []);
  for (const chunk of failed) say(`failed chunk ${chunk.run_id}/${chunk.chunk_no} after ${chunk.attempts} attempt(s): ${chunk.error ?? ''}`);
  const run = cloud.cloudAssistant.runner.list().flatMap((record) => record.runs).find((entry) => entry.exitCode !== 0);
  if (run) say(`output of a failed worker run (exit ${String(run.exitCode)}):\n${Buffer.from(run.output).toString('utf8').replace(/[^\n]{400,}/gu, '<long line>').slice(-3000)}`);
  say(`function logs: ${relative(process.cwd(), bench.logFile)}`);
}
