// The answers of RunCommand and the two Describe calls: their schemas as ECS sends them (JSON with
// the API's own names), and their reading into typed results with decoded output and classified
// failures.
import * as z from 'zod';
import { classifyInstanceError } from './errors';
import type { InstanceInvocationResult, InvocationSummary } from './types';

const optionalString = z.string().optional();

/** One per-instance row of DescribeInvocationResults (`InvocationResult`) and DescribeInvocations (`InvokeInstance`). */
const InstanceRowSchema = z.object({
  InvokeId: optionalString,
  CommandId: optionalString,
  InstanceId: z.string({ message: 'a result row has no InstanceId' }),
  InvocationStatus: optionalString,
  ExitCode: z.number().int().optional(),
  ErrorCode: optionalString,
  ErrorInfo: optionalString,
  Output: optionalString,
  Dropped: z.number().int().nonnegative().optional(),
  StartTime: optionalString,
  FinishedTime: optionalString,
  FinishTime: optionalString,
});
type InstanceRow = z.infer<typeof InstanceRowSchema>;

/** The DescribeInvocationResults body. */
export const InvocationResultsBodySchema = z.object({
  Invocation: z.object({
    InvocationResults: z.object({ InvocationResult: z.array(InstanceRowSchema).default([]) }).optional(),
    NextToken: optionalString,
  }),
});

/** One task of the DescribeInvocations body. */
const InvocationRowSchema = z.object({
  InvokeId: z.string({ message: 'an invocation has no InvokeId' }),
  CommandId: z.string({ message: 'an invocation has no CommandId' }),
  CommandName: optionalString,
  InvocationStatus: optionalString,
  CreationTime: optionalString,
  Timeout: z.number().optional(),
  Parameters: optionalString,
  InvokeInstances: z.object({ InvokeInstance: z.array(InstanceRowSchema).default([]) }).optional(),
});

/** The DescribeInvocations body. */
export const InvocationsBodySchema = z.object({
  Invocations: z.object({ Invocation: z.array(InvocationRowSchema).default([]) }).optional(),
  NextToken: optionalString,
});

/** The RunCommand body. */
export const RunCommandBodySchema = z.object({
  RequestId: z.string().default(''),
  CommandId: z.string({ message: 'RunCommand answered without a CommandId' }),
  InvokeId: z.string({ message: 'RunCommand answered without an InvokeId' }),
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
  const status = row.InvocationStatus ?? 'Pending';
  const final = FINAL_INVOCATION_STATUSES.has(status);
  const errorCode = row.ErrorCode ?? '';
  const errorInfo = row.ErrorInfo ?? '';
  const failed = final && status !== 'Success';
  const failureCode = errorCode === '' ? status : errorCode;
  return {
    invokeId: row.InvokeId ?? fallback.invokeId ?? '',
    commandId: row.CommandId ?? fallback.commandId ?? '',
    instanceId: row.InstanceId,
    status,
    final,
    exitCode: row.ExitCode,
    errorCode,
    errorInfo,
    output: decodeOutput(row.Output),
    dropped: row.Dropped ?? 0,
    startTime: row.StartTime || undefined,
    finishedTime: row.FinishedTime || row.FinishTime || undefined,
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
  const ids = { invokeId: row.InvokeId, commandId: row.CommandId };
  return {
    invokeId: row.InvokeId,
    commandId: row.CommandId,
    commandName: row.CommandName ?? '',
    status: row.InvocationStatus ?? 'Pending',
    creationTime: row.CreationTime || undefined,
    timeoutSeconds: row.Timeout,
    parameters: parseParameters(row.Parameters),
    instances: (row.InvokeInstances?.InvokeInstance ?? []).map((instance) => toInstanceResult(instance, ids)),
  };
}
