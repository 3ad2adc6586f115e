// `npm run pg:up` / `npm run pg:down`: a throwaway PostgreSQL 15 with pgvector, pgmq and pg_cron on
// a free port of 127.0.0.1, for `npm start -- --database-url <url>` and for trying SQL by hand.
// pg:up is idempotent: while the server of .local/postgres.json runs it prints its URL again. It
// installs what is missing first (scripts/pg-install.sh, needs root). pg:down stops it and removes
// its data directory. The test suite starts its own server (tests/setup/postgresServer.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { postgresServerMissing, startPostgresServer, stopPostgresServer } from '../local/supabase';

const STATE_FILE = join('.local', 'postgres.json');
const StateSchema = z.object({ url: z.string(), port: z.number(), dataDir: z.string(), pid: z.number() });
type State = z.infer<typeof StateSchema>;

function say(msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ component: 'pg', msg, ...fields })}\n`);
}

function readState(): State | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  const parsed = StateSchema.safeParse(JSON.parse(readFileSync(STATE_FILE, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(): Promise<void> {
  const running = readState();
  if (running !== undefined && alive(running.pid) && existsSync(join(running.dataDir, 'postmaster.pid'))) {
    say('already running', { url: running.url, dataDir: running.dataDir });
    return;
  }
  if (running !== undefined) await stopPostgresServer(running.dataDir, { remove: true });
  if (postgresServerMissing() !== undefined) {
    say('installing PostgreSQL 15 and its extensions (scripts/pg-install.sh)');
    execFileSync('bash', [join('scripts', 'pg-install.sh')], { stdio: 'inherit' });
  }
  const server = await startPostgresServer({ log: (line) => process.stdout.write(`${line}\n`) });
  mkdirSync('.local', { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify({ url: server.url, port: server.port, dataDir: server.dataDir, pid: server.pid }, null, 2)}\n`);
  say('up', { url: server.url, next: `npm start -- --database-url '${server.url}'`, stop: 'npm run pg:down' });
}

async function down(): Promise<void> {
  const running = readState();
  if (running === undefined) {
    say('not running (no .local/postgres.json)');
    return;
  }
  await stopPostgresServer(running.dataDir, { remove: true });
  rmSync(STATE_FILE, { force: true });
  say('stopped', { dataDir: running.dataDir });
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  process.stderr.write('usage: tsx scripts/pg.ts up|down\n');
  process.exitCode = 2;
}
