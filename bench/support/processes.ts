// The bench's helper processes (the emulator, the bare loop) talk over Node's IPC channel: each
// message read is checked with its schema, and a process that exits instead of answering fails the
// wait instead of hanging it.
import type { ChildProcess, Serializable } from 'node:child_process';
import { once } from 'node:events';
import type * as z from 'zod';

/** The next IPC message of `child`, parsed with `schema`; rejects if the child exits first. */
export async function nextMessage<T>(child: ChildProcess, schema: z.ZodType<T>, what: string): Promise<T> {
  const abort = new AbortController();
  const exited = once(child, 'exit', { signal: abort.signal }).then(([code]: unknown[]) => {
    throw new Error(`${what} exited (${String(code)}) before it answered`);
  });
  // Settled by the abort below when a message comes first.
  exited.catch(() => undefined);
  try {
    const [message] = (await Promise.race([once(child, 'message', { signal: abort.signal }), exited])) as unknown[];
    return schema.parse(message);
  } finally {
    abort.abort();
  }
}

/** Sends `message` (the child's cue to finish) unless the child has gone already, and waits for its exit. */
export async function stopChild(child: ChildProcess, message: Serializable): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.send(message);
  await exited;
}
