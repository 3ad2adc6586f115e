import { createHash } from 'node:crypto';

/**
 * RunCommand's ClientToken for one attempt of a chunk on one instance (≤ 64 ASCII): a redelivered
 * chunk.ready gets the first invocation back instead of a second run; a new attempt (after a
 * requeue) or another instance is a new command.
 */
export function clientToken(runId: string, chunkNo: number, attempt: number, instanceId: string): string {
  return `vs-${createHash('sha256').update(`${runId}/${chunkNo}/${attempt}/${instanceId}`).digest('hex').slice(0, 48)}`;
}
