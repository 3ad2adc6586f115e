import { classifyInstanceError } from './classifyInstanceError';
import { FINAL_INVOCATION_STATUSES } from './constants';
import { decodeOutput } from './decodeOutput';
import type { InstanceRow } from './schemas';
import type { InstanceInvocationResult } from './types';

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
