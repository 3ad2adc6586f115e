import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { applyMigrations, createDatabase, EdgeFunctionProcess } from '../../local/supabase';
import { findFreePort } from '../../local/supabase/findFreePort';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STUB = fileURLToPath(new URL('./edgeContractStub.sql', import.meta.url));

/** The key both functions are started with in tests. */
export const FUNCTION_KEY = 'test-function-key-0123456789';

/** PGlite with the migrations, served over TCP for the Deno processes. */
export interface EdgeDatabase {
  readonly db: PGlite;
  readonly url: string;
  /** Whether the test-only contract stub had to stand in for missing migrations. */
  readonly stubbed: boolean;
  close(): Promise<void>;
}

/** Starts PGlite, applies the migrations (and the stub when the helpers are not there yet). */
export async function startEdgeDatabase(): Promise<EdgeDatabase> {
  const db = await createDatabase();
  await applyMigrations(db);
  const present = await db.query<{ ok: boolean }>("select to_regprocedure('vector_sync.write_embedding(uuid,text,text,extensions.vector)') is not null as ok");
  const stubbed = present.rows[0]?.ok !== true;
  if (stubbed) await db.exec(readFileSync(STUB, 'utf8'));
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 20 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    db,
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stubbed,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** One edge function in its own `deno run`, with a clean environment. */
export async function startEdgeFunction(name: 'embed-documents' | 'publish-changes', env: Record<string, string>, log?: (line: string) => void): Promise<EdgeFunctionProcess> {
  return EdgeFunctionProcess.start({
    name,
    entry: `${ROOT}supabase/functions/${name}/index.ts`,
    cwd: ROOT,
    denoBinary: `${ROOT}node_modules/.bin/deno`,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? ROOT, DENO_DIR: `${ROOT}.local/deno`, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', VECTOR_SYNC_FUNCTION_KEY: FUNCTION_KEY, ...env },
    port: await findFreePort(),
    log: ({ line }) => log?.(line),
    bootTimeoutMs: 30_000,
  });
}

/** POSTs to a function (`key` null: no Authorization); answers status and parsed JSON body. */
export async function callFunction(fn: EdgeFunctionProcess, key: string | null = FUNCTION_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${fn.port}/`, { method: 'POST', headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
