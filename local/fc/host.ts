// The process of one FC instance: loads the bundle once, then runs one invocation at a time.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FcErrorBody, HostReply, HostRequest } from './types';

type Handler = (event: Buffer, context: Record<string, unknown>) => unknown;

function send(reply: HostReply): void {
  process.send?.(reply);
}

function toErrorBody(error: unknown): FcErrorBody {
  if (error instanceof Error) {
    return { errorMessage: error.message, errorType: error.name, stackTrace: (error.stack ?? '').split('\n') };
  }
  return { errorMessage: typeof error === 'string' ? error : JSON.stringify(error) };
}

function fcLogger(requestId: string) {
  const line = (level: string) =>
    function logLine(...args: unknown[]): void {
      const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      process.stdout.write(`${new Date().toISOString()} ${requestId} [${level}] ${text}\n`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), log: line('info') };
}

function encodeResult(value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array();
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return value;
  return Buffer.from(JSON.stringify(value));
}

function loadHandler(codeDir: string, handler: string): Handler {
  const dot = handler.lastIndexOf('.');
  const file = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const load = createRequire(join(codeDir, 'noop.js'));
  const mod = load(join(codeDir, file)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`Handler '${exportName}' missing on module '${file}'`);
  return fn as Handler;
}

async function main(): Promise<void> {
  const codeDir = process.argv[2] ?? '.';
  const handlerName = process.argv[3] ?? 'index.handler';
  let handler: Handler;
  try {
    handler = loadHandler(codeDir, handlerName);
  } catch (error) {
    send({ kind: 'init-error', error: toErrorBody(error) });
    return;
  }
  process.on('message', (message: HostRequest) => {
    const context = { ...message.context, logger: fcLogger(message.requestId) };
    Promise.resolve()
      .then(() => handler(Buffer.from(message.event), context))
      .then(
        (value) => send({ kind: 'result', requestId: message.requestId, body: encodeResult(value) }),
        (error: unknown) => send({ kind: 'error', requestId: message.requestId, error: toErrorBody(error) }),
      );
  });
  send({ kind: 'ready' });
}

void main();
