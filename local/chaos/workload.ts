// The changes a chaos run makes while the faults strike: edits, deletes and inserts of documents
// (addressed by their corpus ordinal, `metadata.n`, so the plan does not depend on the random ids
// Postgres gives them) and a burst of 2-4 rebuild requests close together. Drawn from the seed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from 'postgres';
import { sampleDocuments } from '../corpus';
import { EventPublisher, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { EventSource, EventType, RunOp } from '../../shared/contracts';
import { StackDefaults } from '../stack';
import type { OperatorAccess } from '../stack/requestRun';
import type { SeededRandom } from './random';

/** One step of the workload, `atMs` after the fault window opens. */
export type WorkloadStep =
  | { readonly atMs: number; readonly kind: 'edit'; readonly ordinals: readonly number[] }
  | { readonly atMs: number; readonly kind: 'delete'; readonly ordinals: readonly number[] }
  | { readonly atMs: number; readonly kind: 'insert'; readonly firstOrdinal: number; readonly count: number }
  | { readonly atMs: number; readonly kind: 'rebuild'; readonly eventId: string };

/** What the workload is drawn for. */
export interface WorkloadInput {
  readonly seed: number;
  readonly windowMs: number;
  readonly documents: number;
}

/** Splits `items` into batches of 1-20 at random moments of the first 90% of the window. */
function spread<T>(random: SeededRandom, windowMs: number, items: readonly T[], make: (atMs: number, batch: T[]) => WorkloadStep): WorkloadStep[] {
  const steps: WorkloadStep[] = [];
  for (let i = 0; i < items.length; ) {
    const size = random.int(1, 20);
    steps.push(make(Math.round(random.between(0, windowMs * 0.9)), items.slice(i, i + size)));
    i += size;
  }
  return steps;
}

/**
 * Draws the workload: about 5% of the documents edited (some twice), 2% deleted and 1% new ones
 * inserted, in small batches over the window; and 2-4 rebuilds asked for within a few seconds of
 * each other, somewhere in the middle of the window.
 */
export function planWorkload(random: SeededRandom, input: WorkloadInput): WorkloadStep[] {
  const ordinals = Array.from({ length: input.documents }, (_, i) => i + 1);
  const deleted = random.sample(ordinals, Math.max(5, Math.round(input.documents * 0.02)));
  const kept = ordinals.filter((n) => !deleted.includes(n));
  const edited = Array.from({ length: Math.max(10, Math.round(input.documents * 0.05)) }, () => random.pick(kept));
  const inserts = Math.max(5, Math.round(input.documents * 0.01));
  const steps: WorkloadStep[] = [
    ...spread(random, input.windowMs, edited, (atMs, batch) => ({ atMs, kind: 'edit', ordinals: batch })),
    ...spread(random, input.windowMs, deleted, (atMs, batch) => ({ atMs, kind: 'delete', ordinals: batch })),
    ...spread(random, input.windowMs, Array.from({ length: inserts }, (_, i) => input.documents + 1 + i), (atMs, batch) => ({ atMs, kind: 'insert', firstOrdinal: batch[0] ?? 0, count: batch.length })),
  ];
  let at = Math.round(random.between(0.25, 0.55) * input.windowMs);
  const rebuilds = random.int(2, 4);
  for (let i = 1; i <= rebuilds; i += 1) {
    steps.push({ atMs: at, kind: 'rebuild', eventId: `chaos-${input.seed}-rebuild-${i}` });
    at += random.int(200, 3_000);
  }
  return steps.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Publishes a rebuild request as an operator would, under a fixed event id, until the bus takes it:
 * PutEvents may be failing on purpose, and a repeat of the same id is one request.
 */
async function requestRebuild(access: OperatorAccess, eventId: string, deadline: number): Promise<number> {
  const publisher = new EventPublisher(createEventBridgeClient({ endpoint: access.endpoint, regionId: access.region, ...access.keys }), { busName: access.busName });
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await publisher
      .publish([{ id: eventId, type: EventType.RunRequested, source: EventSource.Manual, subject: `runs/manual/${RunOp.Rebuild}`, data: { op: RunOp.Rebuild, index: StackDefaults.logicalIndex, requestedBy: 'npm run chaos' } }])
      .then((result) => (result.failed.length === 0 ? undefined : `${result.failed[0]?.errorCode ?? 'failed'}`))
      .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (outcome === undefined) return attempt;
    if (Date.now() > deadline) throw new Error(`the bus did not take rebuild request ${eventId} after ${attempt} attempts: ${outcome}`);
    await sleep(1_000);
  }
}

/** What one step did. */
export interface StepOutcome {
  readonly step: WorkloadStep;
  /** Rows changed, or PutEvents attempts for a rebuild. */
  readonly count: number;
}

/** Carries out one step: SQL over the operator's connection (not through the fault proxy), PutEvents for a rebuild. */
export async function runStep(sql: Sql, access: OperatorAccess, step: WorkloadStep, seed: number): Promise<StepOutcome> {
  switch (step.kind) {
    case 'edit': {
      const result = await sql`
        update public.source_documents set content = content || ' (chaos edit)'
        where (metadata ->> 'n')::int = any(${[...step.ordinals]}::int[])`;
      return { step, count: result.count };
    }
    case 'delete': {
      const result = await sql`delete from public.source_documents where (metadata ->> 'n')::int = any(${[...step.ordinals]}::int[])`;
      return { step, count: result.count };
    }
    case 'insert': {
      // `>>> 0`: the corpus takes an unsigned seed, and XOR of a seed above 2^31 turns negative.
      const rows = [...sampleDocuments(step.count, (seed ^ 0x5eed) >>> 0)].map((document, i) => ({
        content: `${document.content} (chaos insert)`,
        metadata: sql.json({ ...document.metadata, n: step.firstOrdinal + i }),
      }));
      const result = await sql`insert into public.source_documents ${sql(rows, 'content', 'metadata')}`;
      return { step, count: result.count };
    }
    case 'rebuild':
      return { step, count: await requestRebuild(access, step.eventId, Date.now() + 180_000) };
  }
}
