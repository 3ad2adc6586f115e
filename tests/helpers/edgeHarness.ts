import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { EdgeFunctionProcess, findFreePort } from '../../local/supabase';
import type { LocalPostgres } from '../../local/supabase';
import { startTestPostgres } from './database';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The edge functions of the project. */
export type EdgeFunctionName = 'embed-documents' | 'embed-query' | 'publish-changes';

/** The project's Deno, and the environment every Deno process of the tests gets. */
const DENO = `${ROOT}node_modules/.bin/deno`;
const DENO_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? ROOT, DENO_DIR: `${ROOT}.local/deno`, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };

/** The key both functions are started with in tests. */
export const FUNCTION_KEY = 'test-function-key-0123456789';

/** The suite's migrated database, reachable over TCP by the Deno processes (the local Supabase's Postgres). */
export type EdgeDatabase = LocalPostgres;

/** Starts the suite's database (tests/helpers/database.ts): PGlite, or with DATABASE=postgres a fresh copy on the real server. */
export function startEdgeDatabase(): Promise<EdgeDatabase> {
  return startTestPostgres();
}

/** One edge function in its own `deno run`, with a clean environment. */
export async function startEdgeFunction(name: EdgeFunctionName, env: Record<string, string>, log?: (line: string) => void): Promise<EdgeFunctionProcess> {
  return EdgeFunctionProcess.start({
    name,
    entry: `${ROOT}supabase/functions/${name}/index.ts`,
    cwd: ROOT,
    denoBinary: DENO,
    env: { ...DENO_ENV, VECTOR_SYNC_FUNCTION_KEY: FUNCTION_KEY, ...env },
    port: await findFreePort(),
    log: ({ line }) => log?.(line),
    bootTimeoutMs: 30_000,
  });
}

/** publish-changes in its own `deno run`, signing PutEvents with the bus's first key (one call attempt unless `env` says more). */
export function startPublishFunction(bus: { readonly endpoint: string; readonly credentials: readonly { readonly accessKeyId: string; readonly accessKeySecret: string }[] }, databaseUrl: string, env: Record<string, string> = {}): Promise<EdgeFunctionProcess> {
  const [credential] = bus.credentials;
  return startEdgeFunction('publish-changes', {
    SUPABASE_DB_URL: databaseUrl,
    EVENTBRIDGE_ENDPOINT: bus.endpoint,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credential?.accessKeyId ?? '',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credential?.accessKeySecret ?? '',
    PUBLISH_CALL_ATTEMPTS: '1',
    ...env,
  });
}

/** POSTs to a function (`key` null: no Authorization); answers status and parsed JSON body. */
export async function callFunction(fn: EdgeFunctionProcess, key: string | null = FUNCTION_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${fn.port}/`, { method: 'POST', headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** One module of a function's graph as `deno info --json` lists it. */
export interface DenoModule {
  readonly specifier: string;
  readonly dependencies?: readonly { readonly specifier: string }[];
  /** Set when Deno could not load the module (e.g. an extensionless relative import). */
  readonly error?: string;
}

/**
 * The module graph of a function as Deno resolves it locally (its deno.json beside the entry, npm
 * packages from the project's node_modules): every module with what it imports.
 */
export async function edgeModuleGraph(name: EdgeFunctionName): Promise<DenoModule[]> {
  const dir = `${ROOT}supabase/functions/${name}/`;
  const { stdout } = await promisify(execFile)(DENO, ['info', '--json', '--no-lock', '--node-modules-dir=manual', '--config', `${dir}deno.json`, `${dir}index.ts`], { cwd: ROOT, env: DENO_ENV, maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(stdout) as { modules: DenoModule[] }).modules;
}
