import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, discoverFunctions, discoverWorker } from '../../scripts/bundle';
import { projectRoot } from '../helpers/fixtures';
import { buildProbe } from '../helpers/probe';

describe('discoverFunctions', () => {
  it('finds every functions/<name>/index.ts and nothing else', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'ovs-discover-'));
    for (const dir of ['functions/validate', 'functions/chunk', 'functions/notes']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'functions/validate/index.ts'), 'export const handler = 1;');
    writeFileSync(join(root, 'functions/chunk/index.ts'), 'export const handler = 1;');
    writeFileSync(join(root, 'functions/notes/README.md'), '#');
    // Act
    const specs = discoverFunctions(root);
    // Assess
    expect(specs.map((s) => s.name)).toEqual(['chunk', 'validate']);
    expect(specs[0]?.outfile).toBe(join(root, 'dist/functions/chunk/index.js'));
    expect(discoverWorker(root)).toEqual([]);
  });
});

describe('bundle', () => {
  it('produces one self-contained CommonJS file that exports handler', async () => {
    const built = await buildProbe();
    const code = readFileSync(built.outfile, 'utf8');
    expect(code).not.toMatch(/require\("(zod|@middy\/core)"\)/);
    const loaded = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(built.outfile)}).handler)`], {
      encoding: 'utf8',
      cwd: tmpdir(),
    });
    expect(loaded).toBe('function');
  });

  it("keeps the project's error class names through minification", async () => {
    // Prepare: an entry whose error class name is its code, as the project's errors are.
    const dir = mkdtempSync(join(tmpdir(), 'ovs-names-'));
    const entry = join(dir, 'index.ts');
    writeFileSync(entry, `import { PermanentError } from ${JSON.stringify(join(projectRoot, 'shared/errors'))};
class ChunkOverflowError extends PermanentError {}
export const handler = (): string[] => { const error = new ChunkOverflowError('too big'); return [error.name, error.code]; };
`);
    // Act
    const built = await bundle({ name: 'names', entry, outfile: join(dir, 'dist/index.js') });
    const names = execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(built.outfile)}).handler()))`], { encoding: 'utf8', cwd: tmpdir() });
    // Assess
    expect(JSON.parse(names)).toEqual(['ChunkOverflowError', 'ChunkOverflowError']);
  });
});

describe('npm run build', () => {
  it('bundles the worker, prints each size, and the worker reports its version', () => {
    // Act
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts/build.ts')], { encoding: 'utf8', cwd: projectRoot });
    // Assess
    expect(out).toMatch(/dist\/ecs\/worker\.js\s+\d+\.\d KB/);
    expect(out).toMatch(/bundle\(s\), [\d.]+ KB in all/);
    const version = JSON.parse(execFileSync(process.execPath, [join(projectRoot, 'dist/ecs/worker.js'), 'version'], { encoding: 'utf8' }));
    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
    expect(version).toMatchObject({ ok: true, command: 'version', version: pkg.version });
  });

  it('makes the worker answer an unknown command with a JSON line and exit code 2', () => {
    const run = spawnSync(process.execPath, [join(projectRoot, 'dist/ecs/worker.js'), 'explode'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, command: 'explode', error: { name: 'UsageError' } });
    expect(run.stderr).toMatch(/usage: worker <command>/);
  });
});
