import { randomUUID } from 'node:crypto';
import type { CommandRunner } from './CommandRunner';
import { invocationResultRow } from './instanceRow';
import { pageOf } from './paging';

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
