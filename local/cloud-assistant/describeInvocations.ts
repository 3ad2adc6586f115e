import { randomUUID } from 'node:crypto';
import { aggregateStatus, legacyAggregate } from './aggregateStatus';
import type { CommandRunner } from './CommandRunner';
import { encodeText, invokeInstanceRow } from './instanceRow';
import { pageOf } from './paging';
import type { InvocationRecord } from './types';

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
