import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeFunctionBootError } from './errors';

/** An edge function folder: `<functionsDir>/<name>/index.ts`. */
export interface EdgeFunctionSource {
  readonly name: string;
  readonly entry: string;
}

const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/u;

/**
 * The functions in a folder as the Supabase CLI sees them: every sub-folder with an `index.ts`,
 * except `_shared` and other folders starting with `_` or `.`. With `only`, exactly those, and a
 * name without a folder is an error.
 */
export function listEdgeFunctions(functionsDir: string, only?: readonly string[]): EdgeFunctionSource[] {
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
