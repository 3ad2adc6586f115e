import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const eventsDir = join(projectRoot, 'events');

/** Every event fixture by file name, parsed. */
export function loadEventFixtures(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const file of readdirSync(eventsDir).filter((f) => f.endsWith('.json')).sort()) {
    out[file] = JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as Record<string, unknown>;
  }
  return out;
}

/** One fixture, deep-copied so a test may change it. */
export function fixture(name: string): any {
  return structuredClone(loadEventFixtures()[name]);
}

/** `n` distinct UUID-shaped ids. */
export function manyIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
}
