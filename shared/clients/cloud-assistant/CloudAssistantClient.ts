import { RuntimeOptions } from '@darabonba/typescript';
import type * as z from 'zod';
import { formatIssues } from '../../contracts';
import { retry, RetriesExhaustedError } from '../../retry';
import { classifyApiError } from './classifyApiError';
import { CloudAssistantDefaults } from './constants';
import { CloudAssistantResponseError, CloudAssistantUnavailableError } from './errors';
import { prepareCommand } from './prepareCommand';
import { InvocationResultsBodySchema, InvocationsBodySchema, RunCommandBodySchema } from './schemas';
import { DescribeInvocationResultsRequest, DescribeInvocationsRequest, RunCommandRequest } from './sdk';
import type { EcsSdkClient } from './sdk';
import { toInstanceResult } from './toInstanceResult';
import { toInvocationSummary } from './toInvocationSummary';
import type {
  CloudAssistantRetryOptions,
  InstanceInvocationResult,
  InvocationResultsQuery,
  InvocationsQuery,
  InvocationSummary,
  Page,
  RunCommandInput,
  RunCommandResult,
} from './types';

/**
 * Cloud Assistant over the official ECS SDK: RunCommand with the script Base64-encoded and
 * checked against the documented limits first, and the two Describe calls with decoded output.
 * Throttling, 5xx and network failures are retried with capped, jittered backoff.
 */
export class CloudAssistantClient {
  constructor(
    private readonly sdk: EcsSdkClient,
    private readonly regionId: string = CloudAssistantDefaults.regionId,
    private readonly retryOptions: CloudAssistantRetryOptions = {},
  ) {}

  /** Starts a shell script on the instances; resolves with the ids once Cloud Assistant took it. */
  async runCommand(input: RunCommandInput): Promise<RunCommandResult> {
    const prepared = prepareCommand(input);
    const request = new RunCommandRequest({
      regionId: this.regionId,
      type: 'RunShellScript',
      commandContent: prepared.commandContent,
      contentEncoding: 'Base64',
      instanceId: [...input.instanceIds],
      enableParameter: prepared.enableParameter,
      timeout: input.timeoutSeconds ?? CloudAssistantDefaults.timeoutSeconds,
      ...(prepared.parameters ? { parameters: prepared.parameters } : {}),
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
      ...(input.workingDir === undefined ? {} : { workingDir: input.workingDir }),
    });
    const response = await this.call('RunCommand', () => this.sdk.runCommandWithOptions(request, new RuntimeOptions({})), input.instanceIds);
    return parseBody('RunCommand', RunCommandBodySchema, response.body);
  }

  /** One page of per-instance results, output decoded. */
  async describeInvocationResults(query: InvocationResultsQuery): Promise<Page<InstanceInvocationResult>> {
    const request = new DescribeInvocationResultsRequest({
      regionId: this.regionId,
      maxResults: query.maxResults ?? CloudAssistantDefaults.pageSize,
      ...(query.invokeId === undefined ? {} : { invokeId: query.invokeId }),
      ...(query.instanceId === undefined ? {} : { instanceId: query.instanceId }),
      ...(query.commandId === undefined ? {} : { commandId: query.commandId }),
      ...(query.nextToken === undefined ? {} : { nextToken: query.nextToken }),
    });
    const response = await this.call('DescribeInvocationResults', () => this.sdk.describeInvocationResultsWithOptions(request, new RuntimeOptions({})));
    const body = parseBody('DescribeInvocationResults', InvocationResultsBodySchema, response.body);
    const rows = body.invocation.invocationResults?.invocationResult ?? [];
    return { items: rows.map((row) => toInstanceResult(row)), nextToken: body.invocation.nextToken || undefined };
  }

  /** Every per-instance result matching the query, following NextToken. */
  async listInvocationResults(query: Omit<InvocationResultsQuery, 'nextToken'>): Promise<InstanceInvocationResult[]> {
    const all: InstanceInvocationResult[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.describeInvocationResults({ ...query, ...(nextToken ? { nextToken } : {}) });
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  /** One page of tasks with their aggregate status and per-instance rows. */
  async describeInvocations(query: InvocationsQuery): Promise<Page<InvocationSummary>> {
    const request = new DescribeInvocationsRequest({
      regionId: this.regionId,
      maxResults: query.maxResults ?? CloudAssistantDefaults.pageSize,
      includeOutput: query.includeOutput ?? false,
      ...(query.invokeId === undefined ? {} : { invokeId: query.invokeId }),
      ...(query.commandId === undefined ? {} : { commandId: query.commandId }),
      ...(query.instanceId === undefined ? {} : { instanceId: query.instanceId }),
      ...(query.invokeStatus === undefined ? {} : { invokeStatus: query.invokeStatus }),
      ...(query.nextToken === undefined ? {} : { nextToken: query.nextToken }),
    });
    const response = await this.call('DescribeInvocations', () => this.sdk.describeInvocationsWithOptions(request, new RuntimeOptions({})));
    const body = parseBody('DescribeInvocations', InvocationsBodySchema, response.body);
    return { items: (body.invocations?.invocation ?? []).map(toInvocationSummary), nextToken: body.nextToken || undefined };
  }

  private async call<T>(operation: string, fn: () => Promise<T>, instanceIds: readonly string[] = []): Promise<T> {
    const options = this.retryOptions;
    try {
      return await retry(
        async () => {
          try {
            return await fn();
          } catch (error) {
            throw classifyApiError(error, operation, instanceIds);
          }
        },
        {
          operation,
          maxAttempts: options.maxAttempts ?? CloudAssistantDefaults.maxAttempts,
          baseDelayMs: options.baseDelayMs ?? CloudAssistantDefaults.baseDelayMs,
          maxDelayMs: options.maxDelayMs ?? CloudAssistantDefaults.maxDelayMs,
          maxRetryAfterMs: options.maxRetryAfterMs ?? CloudAssistantDefaults.maxRetryAfterMs,
          retryAfterMs: (error) => (error instanceof CloudAssistantUnavailableError ? error.retryAfterMs : undefined),
          ...(options.sleep ? { sleep: options.sleep } : {}),
          ...(options.random ? { random: options.random } : {}),
        },
      );
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError)) throw error;
      const last = error.cause instanceof CloudAssistantUnavailableError ? error.cause : undefined;
      throw new CloudAssistantUnavailableError(error.message, {
        code: last?.code ?? 'RetriesExhausted',
        ...(last?.statusCode === undefined ? {} : { statusCode: last.statusCode }),
        ...(last?.requestId === undefined ? {} : { requestId: last.requestId }),
        details: { attempts: error.attempts },
        cause: error,
      });
    }
  }
}

function parseBody<T>(operation: string, schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CloudAssistantResponseError(`${operation} answered an unexpected shape: ${formatIssues(parsed.error, body).join('; ')}`);
  return parsed.data;
}
