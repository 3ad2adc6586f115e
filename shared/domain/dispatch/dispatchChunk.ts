import type { Sql } from 'postgres';
import type { CloudAssistantClient } from '../../clients/cloud-assistant';
import { InstanceUnavailableError } from '../../clients/cloud-assistant';
import type { Ledger } from '../../ledger';
import { LedgerRefusedError } from '../../ledger';
import type { Logger } from '../../logging';
import { chunkCommandParameters } from './chunkCommandParameters';
import { clientToken } from './clientToken';
import { NoInstanceAvailableError } from './errors';
import { findEarlierInvocation } from './findEarlierInvocation';
import { instanceOrder } from './instanceOrder';
import { CHUNK_COMMAND_NAME, RUN_CHUNK_SCRIPT } from './runChunkScript';
import { workerBundle } from './workerBundle';
import type { WorkerBundleSettings } from './workerBundle';

/** What dispatch needs. */
export interface DispatchChunkDeps {
  readonly sql: Sql;
  readonly ledger: Ledger;
  readonly cloudAssistant: Pick<CloudAssistantClient, 'runCommand' | 'describeInvocations'>;
  readonly bundle: Omit<WorkerBundleSettings, 'urlSeconds'>;
  readonly instanceIds: readonly string[];
  readonly timeoutSeconds: number;
  readonly log: Logger;
}

/** What dispatch answers. */
export type DispatchChunkResult =
  | { readonly status: 'dispatched'; readonly runId: string; readonly chunkNo: number; readonly attempt: number; readonly instanceId: string; readonly commandId: string; readonly invokeId: string; readonly recovered: boolean }
  | { readonly status: 'skipped'; readonly runId: string; readonly chunkNo: number; readonly reason: string };

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Sends one ready chunk to a worker instance with RunCommand: the embedded script, parameters that
 * carry only ids, the worker version and a presigned bundle URL (never a secret), a ClientToken per
 * attempt and instance, and the Timeout; then records CommandId/InvokeId in the ledger. An instance
 * that cannot take the command hands over to the next one of the pool.
 */
export async function dispatchChunk(deps: DispatchChunkDeps, input: { runId: string; chunkNo: number }): Promise<DispatchChunkResult> {
  const { runId, chunkNo } = input;
  const chunk = await deps.ledger.chunk(runId, chunkNo);
  if (!chunk) throw new LedgerRefusedError(`chunk ${chunkNo} of run ${runId} does not exist`, { code: 'P0002', details: { runId, chunkNo } });
  if (chunk.state !== 'ready') return { status: 'skipped', runId, chunkNo, reason: `chunk is ${chunk.state} (attempt ${chunk.attempts})` };
  const attempt = chunk.attempts + 1;
  const bundle = await workerBundle({ ...deps.bundle, urlSeconds: deps.timeoutSeconds + 600 });
  const parameters = chunkCommandParameters({ runId, chunkNo, workerVersion: deps.bundle.version, bundleSha256: bundle.sha256, bundleUrl: bundle.url });
  const unavailable: string[] = [];
  for (const instanceId of await instanceOrder(deps.sql, deps.instanceIds, runId, chunkNo, attempt)) {
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
      if (codeOf(error) !== 'IdempotentParameterMismatch') throw error;
      // An earlier delivery ran this attempt but died before recording it: adopt its invocation.
      ids = await findEarlierInvocation(deps.cloudAssistant, { instanceId, runId, chunkNo });
      if (!ids) throw error;
      recovered = true;
    }
    await deps.ledger.markChunkDispatched({ runId, chunkNo, commandId: ids.commandId, invokeId: ids.invokeId, instanceId });
    return { status: 'dispatched', runId, chunkNo, attempt, instanceId, commandId: ids.commandId, invokeId: ids.invokeId, recovered };
  }
  throw new NoInstanceAvailableError(`no worker instance can take chunk ${chunkNo} of run ${runId}: ${unavailable.join('; ')}`, { details: { runId, chunkNo } });
}
