// `npm run bench`: runs every bench/*.bench.ts in turn; each prints one JSON line on stdout.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (only === undefined || f.startsWith(only)))
  .sort();
for (const file of files) {
  process.stderr.write(`bench ${file}\n`);
  execFileSync(process.execPath, ['--import', 'tsx', join(dir, file)], { stdio: ['ignore', 'inherit', 'inherit'] });
}
