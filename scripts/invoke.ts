// `npm run invoke -- <function> --event-file events/<x>.json`: runs one handler from its bundle the
// way `s invoke` runs it in the cloud (the event as a Buffer, an FC 3.0 context with the role's
// keys), against the stack of `npm start -- --keep` when one runs, else against a fresh local cloud.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { LocalFunction } from '../local/fc';
import { FunctionSizing, functionEnvironment, startLocalCloud } from '../local/stack';
import type { StackFunctionName } from '../local/stack';

const StackFileSchema = z.object({
  settings: z.record(z.string(), z.string()),
  region: z.string(),
  accountId: z.string(),
  functionRole: z.object({ accessKeyId: z.string(), accessKeySecret: z.string(), securityToken: z.string() }),
  pid: z.number().int(),
});

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'event-file': { type: 'string', short: 'f' } } });
const name = positionals[0];
const names = Object.keys(FunctionSizing);

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run invoke -- <${names.join('|')}> --event-file events/<x>.json\n`);
  process.exit(64);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  if (!name || !(name in FunctionSizing)) fail(`unknown function ${name ?? '(none)'}`);
  const fnName = name as StackFunctionName;
  if (!values['event-file']) fail('--event-file is required');
  const event = await readFile(resolve(values['event-file']));
  const stackFile = join('.local', 'stack.json');
  const running = existsSync(stackFile) ? StackFileSchema.parse(JSON.parse(readFileSync(stackFile, 'utf8'))) : undefined;
  if (running && isAlive(running.pid)) {
    const fn = new LocalFunction({ name: fnName, codeDir: join('dist', 'functions', fnName), ...FunctionSizing[fnName], environment: functionEnvironment(fnName, running.settings), region: running.region, accountId: running.accountId, credentials: running.functionRole });
    try {
      return report(await fn.invoke(event));
    } finally {
      fn.close();
    }
  }
  process.stderr.write('no stack from `npm start -- --keep` is running: booting a fresh local cloud for this call\n');
  const cloud = await startLocalCloud({ workDir: join('.local', 'invoke'), schedule: false, reconcileEveryMs: false, digestEveryMs: false });
  try {
    const result = await cloud.functions.get(fnName)?.invoke(event);
    if (!result) fail(`function ${fnName} is not part of the stack`);
    const code = report(result);
    await cloud.eventBridge.idle();
    return code;
  } finally {
    await cloud.close();
  }
}

function report(result: Awaited<ReturnType<LocalFunction['invoke']>>): number {
  for (const line of result.logs) process.stderr.write(`${line}\n`);
  process.stdout.write(`${JSON.stringify({ requestId: result.requestId, ok: result.ok, durationMs: Math.round(result.durationMs), body: result.body.toString('utf8'), ...(result.ok ? {} : { error: result.error }) })}\n`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`invoke failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
