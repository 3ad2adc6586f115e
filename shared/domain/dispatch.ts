// dispatch: a ready chunk takes one of the pool's MAX_CHUNKS_IN_FLIGHT slots and goes to a worker
// instance with Cloud Assistant RunCommand; without a free slot it waits in 'ready'. The command
// carries the embedded `ecs/run-chunk.sh`, parameters that hold only ids, the worker version and a
// presigned bundle URL (never a secret), a ClientToken per attempt and instance, and the Timeout.
import { createHash } from 'node:crypto';
import script from '../../ecs/run-chunk.sh?raw';
import { InstanceUnavailableError } from '../clients/cloud-assistant';
import type { CloudAssistantClient } from '../clients/cloud-assistant';
import { ObjectMeta } from '../clients/oss';
import type { OssObjectStore } from '../clients/oss';
import { UUID_PATTERN } from '../contracts';
import { PermanentError, TransientError, classifyError, describeError } from '../errors';
import { LedgerRefusedError } from '../ledger';
import type { ChunkPlan, ChunkRow, Ledger } from '../ledger';
import type { Logger } from '../logging';

/** The Cloud Assistant script of a chunk, `ecs/run-chunk.sh`, embedded in the bundle at build time. */
const RUN_CHUNK_SCRIPT: string = script;

/** The RunCommand name of a chunk; the TaskCompleted rule keeps only names with the project's prefix. */
const CHUNK_COMMAND_NAME = 'vectorsync-chunk';

/**
 * The RunCommand parameters of `ecs/run-chunk.sh` and the pattern each value must match. The script
 * checks the same patterns (a test keeps the two in step); values outside them are never sent.
 */
export const ChunkCommandParameters = {
  runId: UUID_PATTERN,
  chunkNo: /^(0|[1-9][0-9]{0,5})$/u,
  workerVersion: /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/u,
  bundleSha256: /^[0-9a-f]{64}$/u,
  bundleUrl: /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/[A-Za-z0-9._~/%?&=+-]*$/u,
} as const;
export type ChunkCommandParameterName = keyof typeof ChunkCommandParameters;

/** A RunCommand parameter the script would refuse: never sent. */
export class InvalidCommandParameterError extends PermanentError {}

/** The worker bundle of the configured version is not in OSS. */
export class WorkerBundleMissingError extends PermanentError {}

/** No instance of the pool could take the command now. */
export class NoInstanceAvailableError extends TransientError {}

/** What one chunk command carries: ids and the worker's version, never a secret. */
export interface ChunkCommandInput {
  readonly runId: string;
  readonly chunkNo: number;
  readonly workerVersion: string;
  readonly bundleSha256: string;
  /** Presigned GET of the worker bundle, valid at least as long as the command's timeout. */
  readonly bundleUrl: string;
}

/**
 * The Parameters map of the chunk RunCommand. Every value is checked against the pattern the
 * script checks, so a value the script would refuse (or could misread) is never sent.
 */
export function chunkCommandParameters(input: ChunkCommandInput): Record<ChunkCommandParameterName, string> {
  const parameters: Record<ChunkCommandParameterName, string> = {
    runId: input.runId,
    chunkNo: String(input.chunkNo),
    workerVersion: input.workerVersion,
    bundleSha256: input.bundleSha256,
    bundleUrl: input.bundleUrl,
  };
  for (const [name, value] of Object.entries(parameters) as [ChunkCommandParameterName, string][]) {
    if (!ChunkCommandParameters[name].test(value)) {
      throw new InvalidCommandParameterError(`RunCommand parameter ${name} does not match ${ChunkCommandParameters[name].source}`, { details: { parameter: name, runId: input.runId, chunkNo: input.chunkNo } });
    }
  }
  return parameters;
}

/**
 * RunCommand's ClientToken for one attempt of a chunk on one instance (≤ 64 ASCII): a redelivered
 * chunk.ready gets the first invocation back instead of a second run; a new attempt (after a
 * requeue) or another instance is a new command.
 */
function clientToken(runId: string, chunkNo: number, attempt: number, instanceId: string): string {
  return `vs-${createHash('sha256').update(`${runId}/${chunkNo}/${attempt}/${instanceId}`).digest('hex').slice(0, 48)}`;
}

/** Where the worker bundles live and which one to run. */
interface WorkerBundleSettings {
  readonly store: Pick<OssObjectStore, 'head' | 'presignGet'>;
  readonly prefix: string;
  readonly version: string;
  /** How long the presigned URL lives: at least the command's timeout. */
  readonly urlSeconds: number;
}

const checksums = new Map<string, string>();

/**
 * The bundle of the configured version: its sha256 (read once per instance from the object's
 * `x-oss-meta-sha256`, which the upload wrote) and a presigned GET the script downloads it with.
 */
async function workerBundle(settings: WorkerBundleSettings): Promise<{ key: string; sha256: string; url: string }> {
  const key = `${settings.prefix}${settings.version}/worker.js`;
  let sha256 = checksums.get(key);
  if (sha256 === undefined) {
    const head = await settings.store.head(key);
    const found = head.exists ? head.meta[ObjectMeta.sha256] : undefined;
    if (!found) {
      throw new WorkerBundleMissingError(`worker bundle ${key} is not in OSS${head.exists ? ' with its x-oss-meta-sha256' : ''}: upload it (see docs/deploy.md) or fix WORKER_VERSION`, { details: { key } });
    }
    sha256 = found;
    checksums.set(key, sha256);
  }
  return { key, sha256, url: await settings.store.presignGet(key, settings.urlSeconds) };
}

/**
 * The pool's instances in the order to try them: fewest chunks in flight first (from the ledger),
 * ties broken by a hash of the chunk so that equal instances share the work, then rotated by the
 * attempt number. Cloud Assistant reports an unreachable instance (ClientNotRunning,
 * InstanceNotRunning) per instance after RunCommand succeeded, so the attempt fails and is
 * requeued; the rotation sends the next attempt to another instance.
 */
async function instanceOrder(ledger: Ledger, instanceIds: readonly string[], runId: string, chunkNo: number, attempt = 1): Promise<string[]> {
  const load = await ledger.chunksInFlight(instanceIds);
  const tie = (id: string): string => createHash('sha256').update(`${runId}/${chunkNo}/${id}`).digest('hex');
  const sorted = [...instanceIds].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || (tie(a) < tie(b) ? -1 : 1));
  const shift = (attempt - 1) % Math.max(1, sorted.length);
  return [...sorted.slice(shift), ...sorted.slice(0, shift)];
}

/**
 * The invocation an earlier delivery started for this chunk on this instance (RunCommand answered
 * IdempotentParameterMismatch: same token, but the presigned URL in the parameters differs), found
 * among the instance's newest invocations by name and parameters.
 */
async function findEarlierInvocation(client: Pick<CloudAssistantClient, 'describeInvocations'>, input: { instanceId: string; runId: string; chunkNo: number }): Promise<{ commandId: string; invokeId: string } | undefined> {
  const page = await client.describeInvocations({ instanceId: input.instanceId, maxResults: 50 });
  // Newest first: an older attempt of the same chunk on this instance may be listed too.
  const newest = [...page.items].sort((a, b) => (b.creationTime ?? '').localeCompare(a.creationTime ?? ''));
  const match = newest.find(
    (summary) => summary.commandName === CHUNK_COMMAND_NAME && summary.parameters.runId === input.runId && String(summary.parameters.chunkNo) === String(input.chunkNo),
  );
  return match ? { commandId: match.commandId, invokeId: match.invokeId } : undefined;
}

/**
 * Records the attempt's command; answers the chunk instead when the ledger refused because the
 * chunk moved on meanwhile (another copy of the event recorded an attempt, which may have finished):
 * a retried RunCommand answers the first invocation under its ClientToken, which may belong to an
 * attempt the chunk has left behind. A valid event is not refused for that.
 */
async function recordDispatch(ledger: Ledger, input: { runId: string; chunkNo: number; commandId: string; invokeId: string; instanceId: string }, attemptsBefore: number): Promise<ChunkRow | undefined> {
  try {
    await ledger.markChunkDispatched(input);
    return undefined;
  } catch (error) {
    if (!(error instanceof LedgerRefusedError && error.code === '55000')) throw error;
    const now = await ledger.chunk(input.runId, input.chunkNo);
    if (now === undefined || (now.state === 'ready' && now.attempts === attemptsBefore)) throw error;
    return now;
  }
}

/** What dispatch needs. */
export interface DispatchChunkDeps {
  readonly ledger: Ledger;
  readonly cloudAssistant: Pick<CloudAssistantClient, 'runCommand' | 'describeInvocations'>;
  readonly bundle: Omit<WorkerBundleSettings, 'urlSeconds'>;
  readonly instanceIds: readonly string[];
  readonly timeoutSeconds: number;
  /** Chunks dispatched or running at once across the pool (MAX_CHUNKS_IN_FLIGHT). */
  readonly maxChunksInFlight: number;
  readonly log: Logger;
}

/** What dispatch answers. */
export type DispatchChunkResult =
  | { readonly status: 'dispatched'; readonly runId: string; readonly chunkNo: number; readonly attempt: number; readonly instanceId: string; readonly commandId: string; readonly invokeId: string; readonly recovered: boolean }
  /** Every slot of the pool is taken: the chunk stays ready and is announced again when one frees. */
  | { readonly status: 'deferred'; readonly runId: string; readonly chunkNo: number; readonly reason: string }
  | { readonly status: 'skipped'; readonly runId: string; readonly chunkNo: number; readonly reason: string };

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Sends one ready chunk to a worker instance with RunCommand, then records CommandId/InvokeId in
 * the ledger. The first plan of the attempt takes one of the pool's `maxChunksInFlight` slots in
 * the ledger; when none is free the chunk stays ready and the answer is 'deferred' (a settled
 * attempt announces it again). An instance that cannot take the command hands over to the next one
 * of the pool. Copies of one chunk.ready delivered at once send one RunCommand: the first copy
 * plans the attempt's instance and the others follow that plan, so they share a ClientToken.
 */
export async function dispatchChunk(deps: DispatchChunkDeps, input: { runId: string; chunkNo: number }): Promise<DispatchChunkResult> {
  const { runId, chunkNo } = input;
  const chunk = await deps.ledger.chunk(runId, chunkNo);
  if (!chunk) throw new LedgerRefusedError(`chunk ${chunkNo} of run ${runId} does not exist`, { code: 'P0002', details: { runId, chunkNo } });
  if (chunk.state !== 'ready') return { status: 'skipped', runId, chunkNo, reason: `chunk is ${chunk.state} (attempt ${chunk.attempts})` };
  const attempt = chunk.attempts + 1;
  const bundle = await workerBundle({ ...deps.bundle, urlSeconds: deps.timeoutSeconds + 600 });
  const parameters = chunkCommandParameters({ runId, chunkNo, workerVersion: deps.bundle.version, bundleSha256: bundle.sha256, bundleUrl: bundle.url });
  const order = await instanceOrder(deps.ledger, deps.instanceIds, runId, chunkNo, attempt);
  const plan = (instanceId: string, insteadOf?: string): Promise<ChunkPlan> =>
    deps.ledger.planChunkInstance({ runId, chunkNo, attempt, instanceId, maxInFlight: deps.maxChunksInFlight, ...(insteadOf === undefined ? {} : { insteadOf }) });
  const first = order[0] === undefined ? undefined : await plan(order[0]);
  if (first?.outcome === 'deferred') {
    return { status: 'deferred', runId, chunkNo, reason: `all ${deps.maxChunksInFlight} chunk slots of the pool are taken; the chunk waits in ready` };
  }
  const unavailable: string[] = [];
  const tried = new Set<string>();
  let instanceId = first?.outcome === 'planned' ? first.instance_id : undefined;
  while (instanceId !== undefined) {
    if (tried.has(instanceId) || !deps.instanceIds.includes(instanceId)) {
      // The planned instance could not take the command (or left the pool): plan the next one.
      const next = order.find((id) => !tried.has(id));
      if (next === undefined) break;
      const moved = await plan(next, instanceId);
      instanceId = moved.outcome === 'planned' ? moved.instance_id : undefined;
      continue;
    }
    tried.add(instanceId);
    let ids: { commandId: string; invokeId: string } | undefined;
    let recovered = false;
    try {
      ids = await deps.cloudAssistant.runCommand({
        instanceIds: [instanceId],
        script: RUN_CHUNK_SCRIPT,
        parameters,
        timeoutSeconds: deps.timeoutSeconds,
        name: CHUNK_COMMAND_NAME,
        description: `run ${runId} chunk ${chunkNo} attempt ${attempt}`,
        clientToken: clientToken(runId, chunkNo, attempt, instanceId),
      });
    } catch (error) {
      if (error instanceof InstanceUnavailableError) {
        deps.log.warn('instance cannot take the chunk; trying the next one', { instanceId, code: error.code, reason: error.message });
        unavailable.push(`${instanceId}: ${error.code}`);
        continue;
      }
      if (codeOf(error) !== 'IdempotentParameterMismatch') {
        // Refused for good: the same command would be refused on every instance and every retry, so
        // the attempt ends here (the chunk fails with the reason and frees its slot; reconcile closes
        // the run) and the event is parked once. A transient failure is rethrown for a retry.
        if (classifyError(error) === 'permanent') {
          const reason = `RunCommand refused: ${codeOf(error) ?? 'error'}: ${describeError(error).message}`;
          await deps.ledger.refuseChunkAttempt({ runId, chunkNo, attempt, reason });
          deps.log.error('RunCommand refused for good; the chunk fails', { instanceId, reason });
        }
        throw error;
      }
      // An earlier delivery ran this attempt but died before recording it: adopt its invocation.
      ids = await findEarlierInvocation(deps.cloudAssistant, { instanceId, runId, chunkNo });
      if (!ids) throw error;
      recovered = true;
    }
    const moved = await recordDispatch(deps.ledger, { runId, chunkNo, commandId: ids.commandId, invokeId: ids.invokeId, instanceId }, chunk.attempts);
    if (moved) return { status: 'skipped', runId, chunkNo, reason: `the chunk moved on while RunCommand answered (now ${moved.state}, attempt ${moved.attempts}); command ${ids.commandId} was not recorded` };
    return { status: 'dispatched', runId, chunkNo, attempt, instanceId, commandId: ids.commandId, invokeId: ids.invokeId, recovered };
  }
  if (instanceId === undefined && order.length > 0) {
    // No plan: the chunk is no longer ready for this attempt (another copy of the event sent it).
    const now = await deps.ledger.chunk(runId, chunkNo);
    return { status: 'skipped', runId, chunkNo, reason: `chunk is ${now?.state ?? 'gone'} (attempt ${now?.attempts ?? chunk.attempts})` };
  }
  throw new NoInstanceAvailableError(`no worker instance can take chunk ${chunkNo} of run ${runId}: ${unavailable.join('; ')}`, { details: { runId, chunkNo } });
}
