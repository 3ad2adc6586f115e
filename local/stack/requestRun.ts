import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import { EventPublisher, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { EventSource, EventType } from '../../shared/contracts';
import type { DigestRequestedData, RunRequestedData } from '../../shared/contracts';
import { RunRowSchema } from '../../shared/ledger';
import type { RunRow } from '../../shared/ledger';

/** Polls `probe` until `done` holds, calling `onTick` each time; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; onTick?: (value: T) => void; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    options.onTick?.(value);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 1000);
  }
}

/** Where and as whom an operator publishes. */
export interface OperatorAccess {
  readonly endpoint: string;
  readonly busName: string;
  readonly region: string;
  readonly keys: { readonly accessKeyId: string; readonly accessKeySecret: string };
}

/** Publishes `vectorsync.run.requested` as an operator does with `s invoke`; returns the event id. */
export async function requestRun(access: OperatorAccess, data: RunRequestedData): Promise<string> {
  const client = createEventBridgeClient({ endpoint: access.endpoint, regionId: access.region, ...access.keys });
  const publisher = new EventPublisher(client, { busName: access.busName });
  const id = `manual-${data.op}-${randomUUID()}`;
  const result = await publisher.publish([{ id, type: EventType.RunRequested, source: EventSource.Manual, subject: `runs/manual/${data.op}`, data }]);
  const failed = result.failed[0];
  if (failed) throw new Error(`PutEvents refused the ${data.op} request: ${failed.errorCode} ${failed.errorMessage}`);
  return id;
}

/**
 * Publishes `vectorsync.digest.requested` as an operator does (`npm run -s event -- digest`):
 * notify sends that window's digest now (a window still open as it stands); returns the event id.
 */
export async function requestDigest(access: OperatorAccess, data: DigestRequestedData): Promise<string> {
  const client = createEventBridgeClient({ endpoint: access.endpoint, regionId: access.region, ...access.keys });
  const publisher = new EventPublisher(client, { busName: access.busName });
  const id = `manual-digest-${randomUUID()}`;
  const result = await publisher.publish([{ id, type: EventType.DigestRequested, source: EventSource.Manual, subject: `digests/${data.index}`, data }]);
  const failed = result.failed[0];
  if (failed) throw new Error(`PutEvents refused the digest request: ${failed.errorCode} ${failed.errorMessage}`);
  return id;
}

/** Waits until the run opened for `eventId` is final and its report was settled (sent, held for a digest or archived). */
export async function waitForRun(sql: Sql, eventId: string, options: { timeoutMs: number; onTick?: () => void }): Promise<RunRow> {
  const rows = await waitFor(
    () => sql`select * from vector_sync.runs where source_event_id = ${eventId}`,
    (found) => found.some((row) => row.report_disposition !== null && (row.state === 'completed' || row.state === 'failed')),
    { timeoutMs: options.timeoutMs, what: `the run of event ${eventId} to end and report`, ...(options.onTick ? { onTick: options.onTick } : {}) },
  );
  return RunRowSchema.parse(rows[0]);
}
