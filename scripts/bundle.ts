import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

/** The project's root, whose node_modules the packages of every bundle come from. */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** One bundle to produce. */
export interface BundleSpec {
  readonly name: string;
  readonly entry: string;
  readonly outfile: string;
}

/** A produced bundle and its size. */
export interface BundleResult extends BundleSpec {
  readonly bytes: number;
}

/** Every `functions/<name>/index.ts` under `root`, bundled to `dist/functions/<name>/index.js`. */
export function discoverFunctions(root: string, outDir = join(root, 'dist')): BundleSpec[] {
  const dir = join(root, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'index.ts')))
    .sort()
    .map((name) => ({
      name,
      entry: join(dir, name, 'index.ts'),
      outfile: join(outDir, 'functions', name, 'index.js'),
    }));
}

/** The ECS worker CLI, when it exists. */
export function discoverWorker(root: string, outDir = join(root, 'dist')): BundleSpec[] {
  const entry = join(root, 'ecs', 'worker.ts');
  return existsSync(entry) ? [{ name: 'ecs/worker', entry, outfile: join(outDir, 'ecs', 'worker.js') }] : [];
}

/**
 * `import text from './file?raw'` (as Vite/Vitest read it): the file's text, embedded at build time,
 * so a function needs no file beside its bundle (dispatch embeds ecs/run-chunk.sh this way).
 */
const rawText: Plugin = {
  name: 'raw-text',
  setup(builder) {
    builder.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolvePath(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    builder.onLoad({ filter: /.*/, namespace: 'raw-text' }, (args) => ({ contents: readFileSync(args.path, 'utf8'), loader: 'text' }));
  },
};

/**
 * Bundles one entry the way FC 3.0 nodejs20 loads it: a single self-contained CommonJS file
 * exporting `handler`, minified, for node20, with node built-ins left to node. Two passes: the
 * project's own code first, keeping the names of its classes and functions (error class names are
 * codes in logs and parked records), then that with its packages, minified. esbuild's keepNames
 * on the whole bundle would also name every function of every package at load time, about 2,000
 * calls and 10 ms of each cold start, for names nobody reads.
 */
export async function bundle(
  spec: BundleSpec,
  options: { minify?: boolean; define?: Record<string, string> } = {},
): Promise<BundleResult> {
  mkdirSync(dirname(spec.outfile), { recursive: true });
  const own = await build({
    entryPoints: [spec.entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    keepNames: true,
    plugins: [rawText],
    write: false,
    logLevel: 'warning',
    ...(options.define ? { define: options.define } : {}),
  });
  const code = own.outputFiles[0]?.text;
  if (code === undefined) throw new Error(`bundling ${spec.entry} produced no output`);
  await build({
    stdin: { contents: code, resolveDir: projectRoot, sourcefile: spec.entry, loader: 'js' },
    outfile: spec.outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  markCommonJs(dirname(spec.outfile));
  return { ...spec, bytes: statSync(spec.outfile).size };
}

/**
 * Marks the folder as CommonJS: FC loads `index.js` as CommonJS anyway, but locally the project's
 * own `"type": "module"` would otherwise apply to files under `dist/`.
 */
function markCommonJs(dir: string): void {
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
}
