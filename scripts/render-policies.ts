// `npm run -s ram:policies [-- --out-dir .local/ram]`: fills the placeholders of deploy/ram/*.json
// (`${region}`, `${accountId}`, bucket names, …) from the deploy environment
// (deploy/deploy.env.example) and writes ready-to-paste policy documents. Refuses to write a
// document with a placeholder it cannot fill.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderPolicy, policyValues } from '../deploy/ram/renderPolicy';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: join(root, '.local/ram') } } });
const outDir = resolve(values['out-dir']);

try {
  const fill = policyValues(process.env);
  mkdirSync(outDir, { recursive: true });
  const ramDir = join(root, 'deploy/ram');
  for (const name of readdirSync(ramDir).filter((file) => file.endsWith('.json')).sort()) {
    const rendered = renderPolicy(readFileSync(join(ramDir, name), 'utf8'), fill);
    writeFileSync(join(outDir, name), `${JSON.stringify(rendered, null, 2)}\n`);
    process.stdout.write(`${join(outDir, name)}\n`);
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
