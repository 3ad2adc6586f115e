// One source for Deno and Node: the edge functions import the shared contract and helpers from
// shared/ as Deno reads them. These tests fail when a copy creeps back into supabase/functions, an
// npm pin of a function drifts from package.json, or a shared file the edge reaches stops loading
// under Deno (an SDK or a Node-only module). The module graph is Deno's own (`deno info`).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { edgeModuleGraph } from '../helpers/edgeHarness';
import type { DenoModule, EdgeFunctionName } from '../helpers/edgeHarness';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTIONS_DIR = `${ROOT}supabase/functions/`;
const FUNCTIONS: readonly EdgeFunctionName[] = ['embed-documents', 'embed-query', 'publish-changes'];

/** The shared files each function must import rather than copy. */
const SHARED_IMPORTS: Record<EdgeFunctionName, readonly string[]> = {
  'embed-documents': ['shared/config.ts', 'shared/contracts/identifiers.ts', 'shared/errors.ts', 'shared/retry.ts', 'shared/ledger/QueueLedger.ts', 'shared/ledger/connection.ts'],
  'embed-query': ['shared/config.ts', 'shared/retry.ts'],
  'publish-changes': [
    'shared/ledger/QueueLedger.ts',
    'shared/ledger/connection.ts',
    'shared/config.ts',
    'shared/contracts/identifiers.ts',
    'shared/errors.ts',
    'shared/retry.ts',
    'shared/contracts/constants.ts',
    'shared/contracts/change-events.ts',
    'shared/clients/eventbridge/batches.ts',
    'shared/clients/eventbridge/errors.ts',
  ],
};

/** Node built-ins Deno provides; anything else (or an SDK) must not be reached through shared/. */
const DENO_NODE_BUILTINS = ['node:buffer', 'node:crypto', 'node:os', 'node:timers/promises'];

/** The npm packages shared/ may hand the edge: the contract's zod and the ledger's Postgres driver. */
const SHARED_PACKAGES = ['zod', 'postgres'];

/** Tell-tale text of the pieces shared/ owns; none may appear again under supabase/functions. */
const COPIES: readonly [string, RegExp][] = [
  ['the change event type', /['"]vectorsync\.changes\.published['"]/u],
  ['the change event source', /['"]supabase\.edge['"]/u],
  ['the UUID pattern', /\[0-9a-f\]\{8\}/u],
  ['the transient request codes', /Throttl/u],
  ['the PutEvents limits', /(64|256) \* 1024/u],
  ['the ids per event', /maxIds\w*\s*[:=]\s*500\b/u],
  ['SQL (every statement lives in shared/ledger)', /\bsql(<[^`]*>)?`/u],
  ['call packing, endpoint parsing or backoff', /function (packCalls|packBatches|resolveEndpoint|parseRetryAfter|computeBackoff\w*)\b/u],
];

const packageJson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { dependencies: Record<string, string> };

function importMapOf(name: EdgeFunctionName): Record<string, string> {
  return (JSON.parse(readFileSync(`${FUNCTIONS_DIR}${name}/deno.json`, 'utf8')) as { imports: Record<string, string> }).imports;
}

/** The project's own modules of a graph (not node_modules), as repository paths. */
function projectModules(graph: readonly DenoModule[]): DenoModule[] {
  return graph.filter((module) => module.specifier.startsWith(`file://${ROOT}`) && !module.specifier.includes('/node_modules/'));
}

function pathOf(module: DenoModule): string {
  return module.specifier.slice(`file://${ROOT}`.length);
}

function isBare(specifier: string): boolean {
  return !/^(\.|\/|[a-z]+:)/u.test(specifier);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => `${entry.parentPath}/${entry.name}`);
}

describe('the edge functions and shared/', () => {
  it.each(FUNCTIONS)('%s pins every npm package of its deno.json to the version in package.json', (name) => {
    // Act
    const imports = importMapOf(name);
    // Assess
    expect(Object.keys(imports)).toContain('zod');
    for (const [specifier, target] of Object.entries(imports)) expect(target).toBe(`npm:${specifier}@${packageJson.dependencies[specifier]}`);
  });

  it.each(FUNCTIONS)('%s imports the shared contract and helpers from shared/, and Deno loads each module', async (name) => {
    // Act
    const graph = await edgeModuleGraph(name);
    // Assess
    expect(projectModules(graph).map(pathOf)).toEqual(expect.arrayContaining([...SHARED_IMPORTS[name]]));
    expect(graph.filter((module) => module.error !== undefined).map((module) => `${module.specifier}: ${module.error}`)).toEqual([]);
  });

  it.each(FUNCTIONS)('%s finds each bare import in its deno.json, so the deployed bundle resolves it', async (name) => {
    // Prepare
    const mapped = Object.keys(importMapOf(name));
    // Act
    const bare = projectModules(await edgeModuleGraph(name)).flatMap((module) => (module.dependencies ?? []).map((dependency) => dependency.specifier).filter(isBare));
    // Assess
    expect(bare.length).toBeGreaterThan(0);
    expect(bare.filter((specifier) => !mapped.includes(specifier))).toEqual([]);
  });

  it.each(FUNCTIONS)('%s reaches no SDK and no Node-only module through shared/', async (name) => {
    // Act
    const shared = projectModules(await edgeModuleGraph(name)).filter((module) => pathOf(module).startsWith('shared/'));
    const outside = shared.flatMap((module) =>
      (module.dependencies ?? []).map((dependency) => dependency.specifier).filter((specifier) => !specifier.startsWith('.') && !SHARED_PACKAGES.includes(specifier) && !DENO_NODE_BUILTINS.includes(specifier)),
    );
    // Assess
    expect(shared.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('keeps no copy of what shared/ owns under supabase/functions', () => {
    // Act
    const found = sourceFiles(FUNCTIONS_DIR).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => COPIES.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${file.slice(ROOT.length)}:${index + 1}: ${what}`)),
    );
    // Assess
    expect(found).toEqual([]);
  });
});
