// `npm run migration:new -- <verb_phrase>`: creates supabase/migrations/<UTC timestamp>_<verb_phrase>.sql,
// the name `supabase migration new` would give it. The timestamp is taken from the clock, never typed,
// and is bumped past the newest existing migration so the order stays the order of creation.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../supabase/migrations/', import.meta.url));
const phrase = process.argv[2] ?? '';
if (!/^[a-z][a-z0-9_]{2,80}$/u.test(phrase)) {
  process.stderr.write('usage: npm run migration:new -- <verb_phrase in snake_case, e.g. create_documents>\n');
  process.exit(64);
}
const stamp = (date: Date): string => date.toISOString().replace(/[-:T]/gu, '').slice(0, 14);
const newest = readdirSync(dir).filter((f) => /^\d{14}_.+\.sql$/u.test(f)).map((f) => f.slice(0, 14)).sort().at(-1) ?? '';
let when = new Date();
while (stamp(when) <= newest) when = new Date(when.getTime() + 1000);
const file = join(dir, `${stamp(when)}_${phrase}.sql`);
writeFileSync(file, `-- ${phrase.replace(/_/gu, ' ')}\n`, { flag: 'wx' });
process.stdout.write(`${file}\n`);
