// The answers of RunCommand and the two Describe calls: their schemas after the SDK's mapping,
// and their reading into typed results with decoded output and classified failures.
import * as z from 'zod';
import { classifyInstanceError } from './errors';
import type { InstanceInvocationResult, InvocationSummary } from './types';

const optionalString = z.string().optional();

/** One per-instance row, as the SDK maps DescribeInvocationResults and DescribeInvocations. */
const InstanceRowSchema = z.object({
  invokeId: optionalString,
  commandId: optionalString,
  instanceId: z.string({ message: 'a result row has no InstanceId' }),
  invocationStatus: optionalString,
  exitCode: z.number().int().optional(),
  errorCode: optionalString,
  errorInfo: optionalString,
  output: optionalString,
  dropped: z.number().int().nonnegative().optional(),
  startTime: optionalString,
  finishedTime: optionalString,
  finishTime: optionalString,
});
type InstanceRow = z.infer<typeof InstanceRowSchema>;

/** The DescribeInvocationResults body after the SDK's mapping. */
export const InvocationResultsBodySchema = z.object({
  invocation: z.object({
    invocationResults: z.object({ invocationResult: z.array(InstanceRowSchema).default([]) }).optional(),
    nextToken: optionalString,
  }),
});

/** One task of the DescribeInvocations body after the SDK's mapping. */
const InvocationRowSchema = z.object({
  invokeId: z.string({ message: 'an invocation has no InvokeId' }),
  commandId: z.string({ message: 'an invocation has no CommandId' }),
  commandName: optionalString,
  invocationStatus: optionalString,
  creationTime: optionalString,
  timeout: z.number().optional(),
  parameters: optionalString,
  invokeInstances: z.object({ invokeInstance: z.array(InstanceRowSchema).default([]) }).optional(),
});

/** The DescribeInvocations body after the SDK's mapping. */
export const InvocationsBodySchema = z.object({
  invocations: z.object({ invocation: z.array(InvocationRowSchema).default([]) }).optional(),
  nextToken: optionalString,
});

/** The RunCommand body after the SDK's mapping. */
export const RunCommandBodySchema = z.object({
  requestId: z.string().default(''),
  commandId: z.string({ message: 'RunCommand answered without a CommandId' }),
  invokeId: z.string({ message: 'RunCommand answered without an InvokeId' }),
});

/** Per-instance statuses after which nothing changes any more. */
const FINAL_INVOCATION_STATUSES: ReadonlySet<string> = new Set([
  'Success',
  'Failed',
  'Timeout',
  'Error',
  'Invalid',
  'Aborted',
  'Cancelled',
  'Stopped',
  'Terminated',
]);

/** Decodes Cloud Assistant's Base64 output; an empty or absent value is empty text. */
function decodeOutput(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}

/** Turns a per-instance row into a typed result, decoding the output and classifying a failure. */
export function toInstanceResult(row: InstanceRow, fallback: { invokeId?: string; commandId?: string } = {}): InstanceInvocationResult {
  const status = row.invocationStatus ?? 'Pending';
  const final = FINAL_INVOCATION_STATUSES.has(status);
  const errorCode = row.errorCode ?? '';
  const errorInfo = row.errorInfo ?? '';
  const failed = final && status !== 'Success';
  const failureCode = errorCode === '' ? status : errorCode;
  return {
    invokeId: row.invokeId ?? fallback.invokeId ?? '',
    commandId: row.commandId ?? fallback.commandId ?? '',
    instanceId: row.instanceId,
    status,
    final,
    exitCode: row.exitCode,
    errorCode,
    errorInfo,
    output: decodeOutput(row.output),
    dropped: row.dropped ?? 0,
    startTime: row.startTime || undefined,
    finishedTime: row.finishedTime || row.finishTime || undefined,
    failure: failed ? { code: failureCode, info: errorInfo, action: classifyInstanceError(failureCode) } : undefined,
  };
}

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
