import type * as z from 'zod';
import type { InvocationRowSchema } from './schemas';
import { toInstanceResult } from './toInstanceResult';
import type { InvocationSummary } from './types';

function parseParameters(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Turns a DescribeInvocations task into a summary with typed per-instance rows. */
export function toInvocationSummary(row: z.infer<typeof InvocationRowSchema>): InvocationSummary {
  const ids = { invokeId: row.invokeId, commandId: row.commandId };
  return {
    invokeId: row.invokeId,
    commandId: row.commandId,
    commandName: row.commandName ?? '',
    status: row.invocationStatus ?? 'Pending',
    creationTime: row.creationTime || undefined,
    timeoutSeconds: row.timeout,
    parameters: parseParameters(row.parameters),
    instances: (row.invokeInstances?.invokeInstance ?? []).map((instance) => toInstanceResult(instance, ids)),
  };
}
