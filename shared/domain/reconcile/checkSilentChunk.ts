import { CloudAssistantRequestError } from '../../clients/cloud-assistant';
import type { InstanceInvocationResult } from '../../clients/cloud-assistant';
import { requeueLostAttempt, settleChunkAttempt } from '../collect';
import type { SettleResult } from '../collect';
import type { ChunkRow } from '../../ledger';
import type { ReconcileDeps } from './types';

async function lookUp(deps: ReconcileDeps, invokeId: string, instanceId: string): Promise<InstanceInvocationResult | undefined> {
  try {
    const page = await deps.cloud.describeInvocationResults({ invokeId, instanceId });
    return page.items.find((item) => item.instanceId === instanceId);
  } catch (error) {
    // Refused for good (unknown invocation or instance): the attempt is as good as lost.
    if (error instanceof CloudAssistantRequestError) return undefined;
    throw error;
  }
}

/**
 * Looks up a chunk that went silent (no TaskCompleted within its timeout plus grace): a finished
 * invocation is settled like a TaskCompleted; one still running past its timeout, or one Cloud
 * Assistant does not know (instance gone), is requeued or failed.
 */
export async function checkSilentChunk(deps: ReconcileDeps, chunk: ChunkRow): Promise<SettleResult> {
  const commandId = chunk.command_id;
  if (commandId === null) return { action: 'stale', chunk };
  if (chunk.invoke_id === null || chunk.instance_id === null) return requeueLostAttempt(deps, chunk, commandId, `attempt ${commandId} has no invocation recorded`);
  const result = await lookUp(deps, chunk.invoke_id, chunk.instance_id);
  if (result === undefined) {
    return requeueLostAttempt(deps, chunk, commandId, `invocation ${chunk.invoke_id} on ${chunk.instance_id} is unknown to Cloud Assistant`);
  }
  if (result.final) {
    return settleChunkAttempt(deps, chunk, { commandId, status: result.status, exitCode: result.exitCode, errorCode: result.errorCode || undefined });
  }
  const timeout = deps.settings.runCommandTimeoutSeconds;
  return requeueLostAttempt(deps, chunk, commandId, `invocation ${chunk.invoke_id} is still ${result.status} past its timeout of ${timeout} s`);
}
