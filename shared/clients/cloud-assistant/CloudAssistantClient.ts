import type * as z from 'zod';
import { formatIssues } from '../../contracts';
import { credentialsOf, memo } from '../../fc';
import type { FcContext } from '../../fc';
import { retry, RetriesExhaustedError } from '../../retry';
import {
  CloudAssistantResponseError,
  CloudAssistantUnavailableError,
  CommandTooLargeError,
  InvalidClientTokenError,
  InvalidCommandError,
  InvalidParameterNameError,
  TooManyParametersError,
  classifyApiError,
} from './errors';
import { InvocationResultsBodySchema, InvocationsBodySchema, RunCommandBodySchema, toInstanceResult, toInvocationSummary } from './responses';
import { EcsAction, createEcsApiClient } from './sdk';
import type { EcsApiClient } from './sdk';
import { CloudAssistantDefaults } from './types';
import type {
  CloudAssistantClientConfig,
  CloudAssistantRetryOptions,
  InstanceInvocationResult,
  InvocationResultsQuery,
  InvocationsQuery,
  InvocationSummary,
  Page,
  RunCommandInput,
  RunCommandResult,
} from './types';

/** RunCommand limits the client checks before sending (reference section 2). */
const RunCommandLimits = {
  /** CommandContent plus Parameters, both measured after Base64. */
  maxContentBase64Bytes: 24 * 1024,
  maxParameters: 10,
  maxParameterNameLength: 64,
  maxClientTokenLength: 64,
  maxInstances: 100,
  maxNameLength: 128,
  maxDescriptionLength: 512,
  maxWorkingDirLength: 200,
} as const;

/** Custom parameter names Cloud Assistant accepts. */
const PARAMETER_NAME = /^[A-Za-z0-9_-]+$/u;

/** The checked wire values of a RunCommand call. */
interface PreparedCommand {
  readonly commandContent: string;
  readonly parameters: Record<string, string> | undefined;
  readonly enableParameter: boolean;
}

const ASCII = /^[\x20-\x7e]+$/u;

function checkLength(value: string | undefined, limit: number, what: string): void {
  if (value !== undefined && value.length > limit) throw new InvalidCommandError(`${what} is longer than ${limit} characters`, { code: `InvalidParameter.${what}` });
}

/**
 * Encodes the script in Base64 and checks what RunCommand would refuse: 1-100 instances, at most
 * 10 parameters named `[a-zA-Z0-9_-]`, content plus parameters within 24 KB after Base64, an ASCII
 * ClientToken of at most 64 characters, and the length limits of the other fields.
 */
function prepareCommand(input: RunCommandInput): PreparedCommand {
  const instances = input.instanceIds.length;
  if (instances === 0 || instances > RunCommandLimits.maxInstances) {
    throw new InvalidCommandError(`RunCommand takes 1-${RunCommandLimits.maxInstances} instances (got ${instances})`, { code: 'InstanceIds.ExceedLimit' });
  }
  const names = Object.keys(input.parameters ?? {});
  if (names.length > RunCommandLimits.maxParameters) throw new TooManyParametersError(names.length, RunCommandLimits.maxParameters);
  for (const name of names) {
    if (!PARAMETER_NAME.test(name) || name.length > RunCommandLimits.maxParameterNameLength) throw new InvalidParameterNameError(name);
  }
  if (input.clientToken !== undefined && (!ASCII.test(input.clientToken) || input.clientToken.length > RunCommandLimits.maxClientTokenLength)) {
    throw new InvalidClientTokenError(input.clientToken.length);
  }
  if (input.timeoutSeconds !== undefined && !(Number.isInteger(input.timeoutSeconds) && input.timeoutSeconds >= 10)) {
    throw new InvalidCommandError(`timeout must be a whole number of seconds, at least 10 (got ${input.timeoutSeconds})`, { code: 'InvalidParameter.Timeout' });
  }
  checkLength(input.name, RunCommandLimits.maxNameLength, 'Name');
  checkLength(input.description, RunCommandLimits.maxDescriptionLength, 'Description');
  checkLength(input.workingDir, RunCommandLimits.maxWorkingDirLength, 'WorkingDir');
  const commandContent = Buffer.from(input.script, 'utf8').toString('base64');
  const parameters = input.parameters === undefined ? undefined : { ...input.parameters };
  const parameterBytes = parameters === undefined ? 0 : Buffer.from(JSON.stringify(parameters), 'utf8').toString('base64').length;
  const bytes = commandContent.length + parameterBytes;
  if (bytes > RunCommandLimits.maxContentBase64Bytes) throw new CommandTooLargeError(bytes, RunCommandLimits.maxContentBase64Bytes);
  return { commandContent, parameters, enableParameter: input.enableParameter ?? parameters !== undefined };
}

/**
 * Cloud Assistant over the ECS API: RunCommand with the script Base64-encoded and checked against
 * the documented limits first, and the two Describe calls with decoded output. Throttling, 5xx
 * and network failures are retried with capped, jittered backoff.
 */
export class CloudAssistantClient {
  constructor(
    private readonly api: EcsApiClient,
    private readonly regionId: string = CloudAssistantDefaults.regionId,
    private readonly retryOptions: CloudAssistantRetryOptions = {},
  ) {}

  /** Starts a shell script on the instances; resolves with the ids once Cloud Assistant took it. */
  async runCommand(input: RunCommandInput): Promise<RunCommandResult> {
    const prepared = prepareCommand(input);
    const parameters = {
      RegionId: this.regionId,
      Type: 'RunShellScript',
      CommandContent: prepared.commandContent,
      ContentEncoding: 'Base64',
      InstanceId: input.instanceIds,
      EnableParameter: prepared.enableParameter,
      Timeout: input.timeoutSeconds ?? CloudAssistantDefaults.timeoutSeconds,
      // The API takes the custom parameters as one JSON object in text.
      Parameters: prepared.parameters === undefined ? undefined : JSON.stringify(prepared.parameters),
      Name: input.name,
      Description: input.description,
      ClientToken: input.clientToken,
      WorkingDir: input.workingDir,
    };
    const action = EcsAction.RunCommand;
    const ids = parseBody(action, RunCommandBodySchema, await this.call(action, () => this.api.call(action, parameters), input.instanceIds));
    return { commandId: ids.CommandId, invokeId: ids.InvokeId, requestId: ids.RequestId };
  }

  /** One page of per-instance results, output decoded. */
  async describeInvocationResults(query: InvocationResultsQuery): Promise<Page<InstanceInvocationResult>> {
    const parameters = {
      RegionId: this.regionId,
      MaxResults: query.maxResults ?? CloudAssistantDefaults.pageSize,
      InvokeId: query.invokeId,
      InstanceId: query.instanceId,
      CommandId: query.commandId,
      NextToken: query.nextToken,
    };
    const action = EcsAction.DescribeInvocationResults;
    const body = parseBody(action, InvocationResultsBodySchema, await this.call(action, () => this.api.call(action, parameters)));
    const rows = body.Invocation.InvocationResults?.InvocationResult ?? [];
    return { items: rows.map((row) => toInstanceResult(row)), nextToken: body.Invocation.NextToken || undefined };
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
    const parameters = {
      RegionId: this.regionId,
      MaxResults: query.maxResults ?? CloudAssistantDefaults.pageSize,
      IncludeOutput: query.includeOutput ?? false,
      InvokeId: query.invokeId,
      CommandId: query.commandId,
      InstanceId: query.instanceId,
      InvokeStatus: query.invokeStatus,
      NextToken: query.nextToken,
    };
    const action = EcsAction.DescribeInvocations;
    const body = parseBody(action, InvocationsBodySchema, await this.call(action, () => this.api.call(action, parameters)));
    return { items: (body.Invocations?.Invocation ?? []).map(toInvocationSummary), nextToken: body.NextToken || undefined };
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

/** Builds a CloudAssistantClient on the ECS API for the cloud or the local emulator. */
export function createCloudAssistantClient(config: CloudAssistantClientConfig, retryOptions: CloudAssistantRetryOptions = {}): CloudAssistantClient {
  return new CloudAssistantClient(createEcsApiClient(config), config.regionId ?? CloudAssistantDefaults.regionId, retryOptions);
}

interface CloudAssistantInput {
  readonly endpoint: string;
  readonly regionId: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

// FC keeps the instance between calls: the client is rebuilt only when its address or keys change.
const cachedCloudAssistant = memo(
  (input: CloudAssistantInput) => [input.endpoint, input.regionId, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: CloudAssistantInput): CloudAssistantClient => createCloudAssistantClient({ ...(input.endpoint ? { endpoint: input.endpoint } : {}), regionId: input.regionId, ...input.keys }),
);

/** The Cloud Assistant client for the worker instances' region, signed with the function role's keys. */
export function cloudAssistantFor(config: { ECS_REGION_ID: string; ECS_ENDPOINT: string }, context: FcContext): CloudAssistantClient {
  return cachedCloudAssistant({ endpoint: config.ECS_ENDPOINT, regionId: config.ECS_REGION_ID, keys: credentialsOf(context) });
}
