import { legacyStatus } from './aggregateStatus';
import type { InstanceRun, InvocationRecord } from './types';

/** `ContentEncoding` of Output (and CommandContent): Base64 by default, PlainText on request. */
export function encodeText(value: Buffer | string, query: URLSearchParams): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return (query.get('ContentEncoding') ?? '').toLowerCase() === 'plaintext' ? bytes.toString('utf8') : bytes.toString('base64');
}

/** One DescribeInvocationResults `InvocationResult`. */
export function invocationResultRow(record: InvocationRecord, run: InstanceRun, query: URLSearchParams): Record<string, unknown> {
  return {
    InvokeId: record.invokeId,
    CommandId: record.commandId,
    InstanceId: run.instanceId,
    InvocationStatus: run.status,
    InvokeRecordStatus: legacyStatus(run.status),
    ...(run.exitCode === undefined ? {} : { ExitCode: run.exitCode }),
    ErrorCode: run.errorCode,
    ErrorInfo: run.errorInfo,
    Output: encodeText(run.output, query),
    Dropped: run.dropped,
    StartTime: run.startTime ?? '',
    FinishedTime: run.finishTime ?? '',
    StopTime: run.stopTime ?? '',
    Repeats: run.startTime ? 1 : 0,
    Username: 'root',
    TerminationMode: 'ProcessTree',
    ContainerId: '',
    ContainerName: '',
    Launcher: '',
    Tags: { Tag: [] },
  };
}

/** One DescribeInvocations `InvokeInstance` (note `FinishTime`, not `FinishedTime`). */
export function invokeInstanceRow(run: InstanceRun, query: URLSearchParams, includeOutput: boolean): Record<string, unknown> {
  return {
    InstanceId: run.instanceId,
    InvocationStatus: run.status,
    InstanceInvokeStatus: legacyStatus(run.status),
    ...(run.exitCode === undefined ? {} : { ExitCode: run.exitCode }),
    ErrorCode: run.errorCode,
    ErrorInfo: run.errorInfo,
    Output: includeOutput ? encodeText(run.output, query) : '',
    Dropped: run.dropped,
    CreationTime: run.creationTime,
    StartTime: run.startTime ?? '',
    FinishTime: run.finishTime ?? '',
    StopTime: run.stopTime ?? '',
    UpdateTime: run.updateTime,
    Repeats: run.startTime ? 1 : 0,
    Timed: false,
  };
}
