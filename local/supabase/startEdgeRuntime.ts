import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalSupabaseDefaults } from './constants';
import { EdgeFunctionBootError } from './errors';
import { EdgeFunctionProcess } from './EdgeFunctionProcess';
import type { EdgeLogLine, EdgeLogSink } from './EdgeFunctionProcess';
import { EdgeGateway } from './EdgeGateway';
import type { EdgeRoute } from './EdgeGateway';

/** The project's edge functions folder. */
const FUNCTIONS_DIR = fileURLToPath(new URL('../../supabase/functions/', import.meta.url));

/** Deno's cache, inside the project's gitignored `.local/`. */
const DENO_DIR = fileURLToPath(new URL('../../.local/deno/', import.meta.url));

/** Settings of a local edge runtime. */
export interface EdgeRuntimeOptions {
  /** Default: `<repo>/supabase/functions`. */
  readonly functionsDir?: string;
  /** Extra variables for every function (e.g. VECTOR_SYNC_FUNCTION_KEY); they win over the defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** Serve only these functions; default every folder with an index.ts except `_shared`. */
  readonly functions?: readonly string[];
  /** SUPABASE_DB_URL for the functions (e.g. from startPostgres). */
  readonly dbUrl?: string;
  /** Where function output goes; default each line to this process's stderr, prefixed by the name. */
  readonly log?: EdgeLogSink;
  readonly bootTimeoutMs?: number;
  /** Gateway port; default a free one. */
  readonly port?: number;
  readonly denoDir?: string;
  readonly denoBinary?: string;
}

/** A running local edge runtime. */
export interface EdgeRuntime {
  /** Gateway base URL, also the functions' SUPABASE_URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** `<url>/functions/v1`. */
  readonly functionsUrl: string;
  /** The functions served, by name. */
  readonly functions: ReadonlyMap<string, EdgeFunctionProcess>;
  /** The environment every function got (without PATH/HOME/DENO_*). */
  readonly env: Readonly<Record<string, string>>;
  /** Kills every function process and stops the gateway. */
  close(): Promise<void>;
}

/** An edge function folder: `<functionsDir>/<name>/index.ts`. */
interface EdgeFunctionSource {
  readonly name: string;
  readonly entry: string;
}

const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/u;

/**
 * The functions in a folder as the Supabase CLI sees them: every sub-folder with an `index.ts`,
 * except `_shared` and other folders starting with `_` or `.`. With `only`, exactly those, and a
 * name without a folder is an error.
 */
function listEdgeFunctions(functionsDir: string, only?: readonly string[]): EdgeFunctionSource[] {
  const all = readdirSync(functionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && FUNCTION_NAME.test(entry.name))
    .map((entry) => ({ name: entry.name, entry: join(functionsDir, entry.name, 'index.ts') }))
    .filter((source) => existsSync(source.entry))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (only === undefined) return all;
  return only.map((name) => {
    const source = all.find((candidate) => candidate.name === name);
    if (!source) throw new EdgeFunctionBootError(name, `edge function ${name} not found: no ${join(functionsDir, name, 'index.ts')}`);
    return source;
  });
}

interface DenoInstallApi {
  runInstall(): string;
}

/**
 * The Deno executable of the `deno` npm package. Its own `install_api.cjs` finds the binary of the
 * platform package (`@deno/<target>`) as the package's `bin.cjs` does, so no shell or PATH lookup.
 */
function resolveDenoBinary(): string {
  const require = createRequire(import.meta.url);
  const api = require('deno/install_api.cjs') as DenoInstallApi;
  return api.runInstall();
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function stderrSink({ function: name, line }: EdgeLogLine): void {
  process.stderr.write(`[edge:${name}] ${line}\n`);
}

/**
 * Serves each edge function in its own Deno process (no permission prompts; net, env and read
 * allowed) behind one gateway on 127.0.0.1, with the variables Supabase gives functions. The
 * processes get a clean environment, not this process's. Resolves when every function listens;
 * rejects with an EdgeFunctionBootError naming the function (and its last output) otherwise.
 */
export async function startEdgeRuntime(options: EdgeRuntimeOptions = {}): Promise<EdgeRuntime> {
  const functionsDir = options.functionsDir ?? FUNCTIONS_DIR;
  const sources = listEdgeFunctions(functionsDir, options.functions);
  const denoDir = options.denoDir ?? DENO_DIR;
  mkdirSync(denoDir, { recursive: true });
  const denoBinary = options.denoBinary ?? resolveDenoBinary();
  const running = new Map<string, EdgeFunctionProcess>();
  const pending = new Map<string, EdgeRoute>(sources.map((source) => [source.name, { port: 0, running: false }]));
  const gateway = new EdgeGateway((name) => running.get(name) ?? pending.get(name));
  const url = await gateway.start(options.port ?? 0);
  const env: Record<string, string> = {
    SUPABASE_URL: url,
    SUPABASE_ANON_KEY: LocalSupabaseDefaults.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: LocalSupabaseDefaults.serviceRoleKey,
    ...(options.dbUrl === undefined ? {} : { SUPABASE_DB_URL: options.dbUrl }),
    ...options.env,
  };
  const processEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? denoDir,
    DENO_DIR: denoDir,
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    ...env,
  };
  const close = async (): Promise<void> => {
    await Promise.all([...running.values()].map((fn) => fn.stop()));
    await gateway.stop();
  };
  try {
    const started = await Promise.allSettled(
      sources.map(async (source) => {
        const fn = await EdgeFunctionProcess.start({
          name: source.name,
          entry: source.entry,
          cwd: functionsDir,
          denoBinary,
          env: processEnv,
          port: await findFreePort(),
          log: options.log ?? stderrSink,
          bootTimeoutMs: options.bootTimeoutMs ?? LocalSupabaseDefaults.bootTimeoutMs,
        });
        running.set(source.name, fn);
      }),
    );
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await close();
    throw error;
  }
  return { url, functionsUrl: `${url}${LocalSupabaseDefaults.functionsPath.replace(/\/$/u, '')}`, functions: running, env, close };
}
