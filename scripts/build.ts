// `npm run build [-- --out-dir <dir>]`: bundles every FC function and the ECS worker into dist/
// (or <dir>), then prints each bundle's size.
import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle, discoverFunctions, discoverWorker } from './bundle';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const outDir = values['out-dir'] === undefined ? join(root, 'dist') : resolve(values['out-dir']);

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const specs = [...discoverFunctions(root, outDir), ...discoverWorker(root, outDir)];
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  // The worker reports its version; WORKER_VERSION lets a release name the build it uploads.
  const define = { __WORKER_VERSION__: JSON.stringify(process.env.WORKER_VERSION ?? pkg.version) };
  if (specs.length === 0) {
    process.stdout.write('nothing to bundle: no functions/*/index.ts and no ecs/worker.ts yet\n');
    return;
  }
  const started = performance.now();
  const results = await Promise.all(specs.map((spec) => bundle(spec, { define })));
  const width = Math.max(...results.map((r) => relative(root, r.outfile).length));
  for (const result of results) {
    process.stdout.write(`${relative(root, result.outfile).padEnd(width)}  ${kb(result.bytes).padStart(10)}\n`);
  }
  const total = results.reduce((sum, r) => sum + r.bytes, 0);
  process.stdout.write(`${results.length} bundle(s), ${kb(total)} in all, ${Math.round(performance.now() - started)} ms\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
