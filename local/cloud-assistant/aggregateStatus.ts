const IN_PROGRESS = ['Pending', 'Scheduled', 'Running', 'Stopping'] as const;
const STOPPED = new Set(['Stopped', 'Cancelled', 'Terminated']);
const FAILED = new Set(['Invalid', 'Aborted', 'Failed', 'Timeout', 'Error']);

/**
 * The task's InvocationStatus from its per-instance statuses: in progress if any instance is;
 * Success if all are stopped or succeeded with one success at least; Stopped if all stopped;
 * Failed if all stopped or failed; PartialFailed otherwise.
 */
export function aggregateStatus(statuses: readonly string[]): string {
  for (const status of IN_PROGRESS) if (statuses.includes(status)) return status;
  if (statuses.every((status) => status === 'Success' || STOPPED.has(status)) && statuses.includes('Success')) return 'Success';
  if (statuses.every((status) => STOPPED.has(status))) return 'Stopped';
  if (statuses.every((status) => STOPPED.has(status) || FAILED.has(status))) return 'Failed';
  return 'PartialFailed';
}

/** The legacy per-instance status (`InvokeRecordStatus`, `InstanceInvokeStatus`). */
export function legacyStatus(status: string): string {
  if (status === 'Pending' || status === 'Running') return 'Running';
  if (status === 'Success') return 'Finished';
  if (STOPPED.has(status)) return 'Stopped';
  return status === 'Stopping' ? 'Stopping' : 'Failed';
}

/** The legacy task status (`InvokeStatus`). */
export function legacyAggregate(status: string): string {
  if (IN_PROGRESS.some((value) => value === status)) return status === 'Stopping' ? 'Stopping' : 'Running';
  return status === 'Success' ? 'Finished' : status;
}
