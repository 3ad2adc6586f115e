import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `ecs/run-chunk.sh` looks for the worker's settings, under the instance's HOME. */
export function workerSettingsPath(home: string): string {
  return join(home, '.vector-sync', 'worker.env');
}

/**
 * Writes the worker's settings file on a local instance as an operator would on ECS: KEY=value
 * lines, mode 600, in a mode 700 folder. It holds the worker's keys: they never travel in
 * RunCommand parameters.
 */
export async function writeWorkerSettings(home: string, settings: Readonly<Record<string, string>>): Promise<string> {
  const path = workerSettingsPath(home);
  await mkdir(join(home, '.vector-sync'), { recursive: true, mode: 0o700 });
  const body = Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n');
  await writeFile(path, `${body}\n`, { mode: 0o600 });
  // A home under this repository would inherit its `"type": "module"`, and node would load the
  // CommonJS worker bundle cached there as ESM; on a real instance no package.json is above it.
  await writeFile(join(home, '.vector-sync', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  await chmod(path, 0o600);
  return path;
}
