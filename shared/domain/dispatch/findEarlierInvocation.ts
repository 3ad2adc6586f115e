import type { CloudAssistantClient } from '../../clients/cloud-assistant';
import { CHUNK_COMMAND_NAME } from './runChunkScript';

/**
 * The invocation an earlier delivery started for this chunk on this instance (RunCommand answered
 * IdempotentParameterMismatch: same token, but the presigned URL in the parameters differs), found
 * among the instance's newest invocations by name and parameters.
 */
export async function findEarlierInvocation(client: Pick<CloudAssistantClient, 'describeInvocations'>, input: { instanceId: string; runId: string; chunkNo: number }): Promise<{ commandId: string; invokeId: string } | undefined> {
  const page = await client.describeInvocations({ instanceId: input.instanceId, maxResults: 50 });
  // Newest first: an older attempt of the same chunk on this instance may be listed too.
  const newest = [...page.items].sort((a, b) => (b.creationTime ?? '').localeCompare(a.creationTime ?? ''));
  const match = newest.find(
    (summary) => summary.commandName === CHUNK_COMMAND_NAME && summary.parameters.runId === input.runId && String(summary.parameters.chunkNo) === String(input.chunkNo),
  );
  return match ? { commandId: match.commandId, invokeId: match.invokeId } : undefined;
}
