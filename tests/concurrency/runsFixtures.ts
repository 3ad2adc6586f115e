// Set-up shared by the run and chunk concurrency tests: a ledger per racer, an active index, runs
// brought to a given state through the ledger's own moves, and stand-ins for the publisher, Cloud
// Assistant, the worker bundle store and the logger that record what the domain functions did.
import type { Sql } from 'postgres';
import { InstanceUnavailableError } from '../../shared/clients/cloud-assistant';
import type { CloudAssistantClient } from '../../shared/clients/cloud-assistant';
import type { InvocationSummary, Page, RunCommandInput, RunCommandResult } from '../../shared/clients/cloud-assistant/types';
import type { PublishableEvent, PublishResult } from '../../shared/clients/eventbridge/EventPublisher';
import { ObjectMeta } from '../../shared/clients/oss';
import type { ObjectHead } from '../../shared/clients/oss/types';
import { TransientError } from '../../shared/errors';
import { Ledger } from '../../shared/ledger';
import type { RunRow } from '../../shared/ledger';
import { Logger } from '../../shared/logging';

/** The logical index every test uses, and its first generation. */
export const LOGICAL = 'docs';
export const GENERATION = 'docsg1';

/** A logger that drops its lines (the assertions look at rows, not logs). */
export function quietLog(): Logger {
  return new Logger({ sink: () => undefined });
}

/** One Ledger per racer, each on its own connection (the FC instances of a burst of deliveries). */
export function ledgersOf(clients: readonly Sql[]): Ledger[] {
  return clients.map((sql) => new Ledger(sql));
}

/** A publisher that accepts everything and keeps what it was given, or refuses while `failing`. */
export class RecordingPublisher {
  readonly published: PublishableEvent[] = [];
  failing = false;

  async publish(events: readonly PublishableEvent[]): Promise<PublishResult> {
    // A real PutEvents is a network call: let the other racers move meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failing) {
      const failed = events.map((event) => ({ id: event.id ?? '', status: 'failed' as const, errorCode: 'Throttled', errorMessage: 'refused by the test', error: new TransientError('refused by the test', { code: 'Throttled' }), attempts: 1 }));
      return { outcomes: failed, acceptedIds: [], failed };
    }
    this.published.push(...events);
    const outcomes = events.map((event) => ({ id: event.id ?? '', status: 'accepted' as const, attempts: 1 }));
    return { outcomes, acceptedIds: outcomes.map((outcome) => outcome.id), failed: [] };
  }

  /** Events of one type, by id. */
  ofType(type: string): PublishableEvent[] {
    return this.published.filter((event) => event.type === type);
  }
}

/** Cloud Assistant as dispatch sees it: a ClientToken names one invocation, whoever sends it. */
export class TokenCloud implements Pick<CloudAssistantClient, 'runCommand' | 'describeInvocations'> {
  readonly invocations = new Map<string, RunCommandResult & { readonly instanceId: string }>();

  /** `down`: instances that refuse commands (stopped), so dispatch moves on to the next one. */
  constructor(private readonly down: ReadonlySet<string> = new Set()) {}

  async runCommand(input: RunCommandInput): Promise<RunCommandResult> {
    // A network call of varying length: the racers drift apart as real FC instances do.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
    const stopped = input.instanceIds.filter((id) => this.down.has(id));
    if (stopped.length > 0) throw new InstanceUnavailableError('the instance is stopped', stopped, { code: 'InvalidInstance.NotRunning', statusCode: 403 });
    const token = input.clientToken ?? `no-token-${this.invocations.size}`;
    let invocation = this.invocations.get(token);
    if (invocation === undefined) {
      const n = this.invocations.size + 1;
      invocation = { commandId: `c-${n}`, invokeId: `t-${n}`, requestId: `r-${n}`, instanceId: input.instanceIds[0] ?? '' };
      this.invocations.set(token, invocation);
    }
    return invocation;
  }

  async describeInvocations(): Promise<Page<InvocationSummary>> {
    return { items: [], nextToken: undefined };
  }
}

/** The worker bundle in OSS, as dispatch reads it (its checksum and a presigned URL). */
export const bundleStore = {
  head: async (key: string): Promise<ObjectHead> => ({ exists: true, key, contentLength: 1, etag: 'e', lastModified: undefined, contentType: 'text/javascript', meta: { [ObjectMeta.sha256]: 'a'.repeat(64) } }),
  presignGet: async (key: string) => {
    // The presign is where a cold FC instance reads its STS keys: it takes a varying while.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
    return `http://bundles.local/${key}?sig=x`;
  },
};

/** Registers and activates the test's first generation. */
export async function activeIndex(ledger: Ledger): Promise<void> {
  await ledger.registerIndex({ indexName: GENERATION, logicalName: LOGICAL, bucket: 'vectors', dimension: 4, metric: 'cosine' });
  await ledger.activateIndex(GENERATION);
}

/** `n` document ids (uuids, as the sidecar's keys are) unique to `tag`. */
export function idsFor(tag: string, n: number): string[] {
  const hex = Buffer.from(tag).toString('hex').padEnd(8, '0').slice(-8);
  return Array.from({ length: n }, (_, i) => `${hex}-0000-4000-8000-${String(i).padStart(12, '0')}`);
}

/** A sync run of `chunks` chunks of one id each, chunked and (with `dispatched`) every chunk dispatched under `c-<tag>x<n>` on i-local0001. */
export async function syncRun(ledger: Ledger, tag: string, chunks: number, dispatched = true): Promise<RunRow> {
  const ids = idsFor(tag, chunks);
  const run = await ledger.openRun({ sourceEventId: `evt-${tag}`, op: 'sync', indexName: GENERATION, ids });
  for (const [chunkNo, id] of ids.entries()) await ledger.addChunk(run.run_id, chunkNo, { ids: [id] });
  const chunked = await ledger.markRunChunked(run.run_id, chunks);
  if (!dispatched) return chunked;
  for (let chunkNo = 0; chunkNo < chunks; chunkNo += 1) {
    await ledger.markChunkDispatched({ runId: run.run_id, chunkNo, commandId: commandOf(tag, chunkNo), invokeId: `t-${tag}x${chunkNo}`, instanceId: 'i-local0001' });
  }
  return chunked;
}

/** The command id `syncRun` gives a chunk's first attempt. */
export function commandOf(tag: string, chunkNo: number): string {
  return `c-${tag}x${chunkNo}`;
}

/** The reasons of the rejected racers (for failure messages that say what went wrong). */
export function rejections(results: readonly PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason instanceof Error ? result.reason.message : result.reason)] : []));
}
