import { fileURLToPath } from 'node:url';
import { EdgeFunctionProcess, findFreePort, startPostgres } from '../../local/supabase';
import type { LocalPostgres } from '../../local/supabase';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The key both functions are started with in tests. */
export const FUNCTION_KEY = 'test-function-key-0123456789';

/** PGlite with the migrations, served over TCP for the Deno processes (the local Supabase's Postgres). */
export type EdgeDatabase = LocalPostgres;

/** Starts the local Postgres with every migration applied. */
export function startEdgeDatabase(): Promise<EdgeDatabase> {
  return startPostgres();
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
