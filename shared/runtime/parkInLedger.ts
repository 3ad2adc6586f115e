import type { Sql } from 'postgres';
import type { ParkFn } from '../middleware';

function runIdOf(event: unknown): string | null {
  if (typeof event !== 'object' || event === null) return null;
  const data = (event as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return null;
  const runId = (data as { runId?: unknown }).runId;
  return typeof runId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u.test(runId) ? runId : null;
}

/**
 * Parks a permanent failure in `vector_sync.parked_events` (once per function and event), where the
 * dashboard and the run's report show it. When the ledger is unreachable the error propagates and
 * classifyErrors turns it into a transient failure, so EventBridge retries rather than losing it.
 */
export function parkInLedger(sqlOf: () => Sql): ParkFn {
  return async function park(failure) {
    const event = typeof failure.event === 'string' ? { text: failure.event.slice(0, 10_000) } : failure.event ?? null;
    const sql = sqlOf();
    await sql`select vector_sync.park_event(${failure.functionName}, ${failure.eventId ?? null}, ${failure.eventType ?? null},
      ${runIdOf(failure.event)}::uuid, ${failure.code}, ${failure.reason}, ${sql.json(event as never)})`;
  };
}
