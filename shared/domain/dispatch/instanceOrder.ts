import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';

/**
 * The pool's instances in the order to try them: fewest chunks in flight first (from the ledger),
 * ties broken by a hash of the chunk so that equal instances share the work, then rotated by the
 * attempt number. Cloud Assistant reports an unreachable instance (ClientNotRunning,
 * InstanceNotRunning) per instance after RunCommand succeeded, so the attempt fails and is
 * requeued; the rotation sends the next attempt to another instance.
 */
export async function instanceOrder(sql: Sql, instanceIds: readonly string[], runId: string, chunkNo: number, attempt = 1): Promise<string[]> {
  const rows = await sql<{ instance_id: string; n: string }[]>`
    select instance_id, count(*) as n from vector_sync.chunks
    where state in ('dispatched', 'running') and instance_id = any(${[...instanceIds]}::text[])
    group by instance_id`;
  const load = new Map(rows.map((row) => [row.instance_id, Number(row.n)]));
  const tie = (id: string): string => createHash('sha256').update(`${runId}/${chunkNo}/${id}`).digest('hex');
  const sorted = [...instanceIds].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || (tie(a) < tie(b) ? -1 : 1));
  const shift = (attempt - 1) % Math.max(1, sorted.length);
  return [...sorted.slice(shift), ...sorted.slice(0, shift)];
}
