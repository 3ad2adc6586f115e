// Readers of the deployment files for the tests in tests/deploy.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Every folder of functions/ that holds a handler, sorted. */
export function functionFolders(): string[] {
  return readdirSync(join(projectRoot, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(projectRoot, 'functions', entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** s.yaml as written (variables unresolved). */
export function readSYaml(): Record<string, any> {
  return parse(readFileSync(join(projectRoot, 's.yaml'), 'utf8')) as Record<string, any>;
}

/**
 * deploy/deploy.env.example as `set -a; . file` would load it: KEY=value lines, `${NAME}` taken
 * from earlier lines.
 */
export function readDeployEnvExample(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of readFileSync(join(projectRoot, 'deploy/deploy.env.example'), 'utf8').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/u.exec(line.trim());
    if (!match) continue;
    values[match[1] ?? ''] = (match[2] ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/gu, (_all, name: string) => values[name] ?? '');
  }
  return values;
}
