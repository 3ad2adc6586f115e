// The invocation records the runner keeps and how DescribeInvocations and DescribeInvocationResults
// report them: aggregate and legacy statuses, per-instance rows, filters and paging.
import { randomUUID } from 'node:crypto';
import type { CommandRunner } from './CommandRunner';
import { pageOf } from './requests';
import type { RunCommandSpec } from './requests';

/** Per-instance InvocationStatus values the emulator moves through. */
export type RunStatus = 'Pending' | 'Running' | 'Success' | 'Failed' | 'Timeout' | 'Error' | 'Invalid' | 'Aborted' | 'Cancelled' | 'Stopped' | 'Terminated';

/** The per-instance statuses after which nothing changes. */
export const FINAL_RUN_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(['Success', 'Failed', 'Timeout', 'Error', 'Invalid', 'Aborted', 'Cancelled', 'Stopped', 'Terminated']);

/** One instance's run of an invocation. */
export interface InstanceRun {
  readonly instanceId: string;
  status: RunStatus;
  exitCode: number | undefined;
  errorCode: string;
  errorInfo: string;
  output: Buffer;
  dropped: number;
  readonly creationTime: string;
  startTime: string | undefined;
  finishTime: string | undefined;
  stopTime: string | undefined;
  updateTime: string;
}

/** One RunCommand call and its runs. */
export interface InvocationRecord {
  readonly invokeId: string;
  readonly commandId: string;
  readonly spec: RunCommandSpec;
  readonly creationTime: string;
  readonly runs: readonly InstanceRun[];
}

/** ISO-8601 UTC to the second, the form Cloud Assistant reports (`2023-12-14T07:39:48Z`). */
export function isoTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

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
function legacyStatus(status: string): string {
  if (status === 'Pending' || status === 'Running') return 'Running';
  if (status === 'Success') return 'Finished';
  if (STOPPED.has(status)) return 'Stopped';
  return status === 'Stopping' ? 'Stopping' : 'Failed';
}

/** The legacy task status (`InvokeStatus`). */
function legacyAggregate(status: string): string {
  if (IN_PROGRESS.some((value) => value === status)) return status === 'Stopping' ? 'Stopping' : 'Running';
  return status === 'Success' ? 'Finished' : status;
}

/** `ContentEncoding` of Output (and CommandContent): Base64 by default, PlainText on request. */
function encodeText(value: Buffer | string, query: URLSearchParams): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return (query.get('ContentEncoding') ?? '').toLowerCase() === 'plaintext' ? bytes.toString('utf8') : bytes.toString('base64');
}

/** One DescribeInvocationResults `InvocationResult`. */
function invocationResultRow(record: InvocationRecord, run: InstanceRun, query: URLSearchParams): Record<string, unknown> {
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
function invokeInstanceRow(run: InstanceRun, query: URLSearchParams, includeOutput: boolean): Record<string, unknown> {
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

function matches(record: InvocationRecord, query: URLSearchParams, status: string): boolean {
  const wanted = (name: string, actual: string): boolean => query.get(name) === null || query.get(name) === actual;
  return (
    wanted('InvokeId', record.invokeId) &&
    wanted('CommandId', record.commandId) &&
    wanted('CommandName', record.spec.name) &&
    wanted('CommandType', record.spec.type) &&
    wanted('InvokeStatus', status) &&
    (query.get('InstanceId') === null || record.runs.some((run) => run.instanceId === query.get('InstanceId')))
  );
}

/** DescribeInvocations: tasks with their aggregate status and per-instance rows, filtered and paged. */
export function describeInvocations(runner: CommandRunner, query: URLSearchParams): object {
  // Output is returned only when the query names an invocation or an instance.
  const includeOutput = query.get('IncludeOutput') === 'true' && (query.get('InvokeId') !== null || query.get('InstanceId') !== null);
  const rows = runner
    .list()
    .map((record) => ({ record, status: aggregateStatus(record.runs.map((run) => run.status)) }))
    .filter(({ record, status }) => matches(record, query, status));
  const page = pageOf(rows, query);
  return {
    RequestId: randomUUID(),
    NextToken: page.nextToken,
    PageSize: page.maxResults,
    PageNumber: 1,
    TotalCount: page.total,
    Invocations: {
      Invocation: page.items.map(({ record, status }) => ({
        InvokeId: record.invokeId,
        CommandId: record.commandId,
        CommandName: record.spec.name,
        CommandType: record.spec.type,
        CommandDescription: record.spec.description,
        CommandContent: encodeText(record.spec.content, query),
        Parameters: JSON.stringify(record.spec.parameters),
        InvocationStatus: status,
        InvokeStatus: legacyAggregate(status),
        CreationTime: record.creationTime,
        RepeatMode: 'Once',
        Frequency: '',
        Timed: false,
        Timeout: record.spec.timeoutSeconds,
        Username: 'root',
        WorkingDir: record.spec.workingDir ?? '',
        TerminationMode: 'ProcessTree',
        InvokeInstances: { InvokeInstance: record.runs.map((run) => invokeInstanceRow(run, query, includeOutput)) },
      })),
    },
  };
}

/** DescribeInvocationResults: per-instance rows filtered by InvokeId, InstanceId and CommandId, paged. */
export function describeInvocationResults(runner: CommandRunner, query: URLSearchParams): object {
  const invokeId = query.get('InvokeId');
  const instanceId = query.get('InstanceId');
  const commandId = query.get('CommandId');
  const rows = runner
    .list()
    .filter((record) => (invokeId === null || record.invokeId === invokeId) && (commandId === null || record.commandId === commandId))
    .flatMap((record) => record.runs.filter((run) => instanceId === null || run.instanceId === instanceId).map((run) => ({ record, run })));
  const page = pageOf(rows, query);
  return {
    RequestId: randomUUID(),
    Invocation: {
      InvocationResults: { InvocationResult: page.items.map(({ record, run }) => invocationResultRow(record, run, query)) },
      NextToken: page.nextToken,
      PageSize: page.maxResults,
      PageNumber: 1,
      TotalCount: page.total,
    },
  };
}
