import type { InstanceErrorAction } from './errors';

/** Client defaults: the SDK's own 3 s timeouts are too short for a busy region. */
export const CloudAssistantDefaults = {
  regionId: 'cn-hangzhou',
  readTimeoutMs: 15_000,
  connectTimeoutMs: 5_000,
  timeoutSeconds: 60,
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  pageSize: 50,
} as const;

/** Where and as whom to talk to ECS: the only things that differ between cloud and local. */
export interface CloudAssistantClientConfig {
  /** Empty for the region's public endpoint, or `ecs.<region>.aliyuncs.com`, or a local `host:port`. */
  readonly endpoint?: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, e.g. from the FC context. */
  readonly securityToken?: string;
  readonly regionId?: string;
  readonly readTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** Retry settings of the client (throttling, 5xx, network). */
export interface CloudAssistantRetryOptions {
  /** Total attempts per call, including the first. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Upper bound on a delay the server asks for with `x-acs-retry-after`. */
  readonly maxRetryAfterMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** A shell script to run on ECS instances. */
export interface RunCommandInput {
  readonly instanceIds: readonly string[];
  /** The script in plain text; the client sends it Base64-encoded. */
  readonly script: string;
  /** Values for `{{name}}` placeholders. Never secrets: DescribeInvocations returns them in clear. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Turns placeholder substitution on; default: on when `parameters` are given. */
  readonly enableParameter?: boolean;
  readonly timeoutSeconds?: number;
  readonly name?: string;
  readonly description?: string;
  /** Idempotency key: a resend with the same token and parameters returns the same ids. */
  readonly clientToken?: string;
  readonly workingDir?: string;
}

/** The ids RunCommand answers with. */
export interface RunCommandResult {
  readonly commandId: string;
  readonly invokeId: string;
  readonly requestId: string;
}

/** Why one instance did not run a command successfully, and what to do about it. */
export interface InstanceFailure {
  /** The per-instance ErrorCode, or the status when the code is empty. */
  readonly code: string;
  readonly info: string;
  readonly action: InstanceErrorAction;
}

/** The outcome of a command on one instance. */
export interface InstanceInvocationResult {
  readonly invokeId: string;
  readonly commandId: string;
  readonly instanceId: string;
  /** Per-instance InvocationStatus, e.g. `Running`, `Success`, `Failed`, `Timeout`. */
  readonly status: string;
  readonly final: boolean;
  readonly exitCode: number | undefined;
  readonly errorCode: string;
  readonly errorInfo: string;
  /** The output, decoded from Base64 (at most the first 24 KB). */
  readonly output: string;
  /** Bytes of output that were cut off. */
  readonly dropped: number;
  readonly startTime: string | undefined;
  readonly finishedTime: string | undefined;
  /** Set when the run is final and did not succeed. */
  readonly failure: InstanceFailure | undefined;
}

/** One page of results. */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back to get the next page; undefined on the last page. */
  readonly nextToken: string | undefined;
}

/** Filters of DescribeInvocationResults. */
export interface InvocationResultsQuery {
  readonly invokeId?: string;
  readonly instanceId?: string;
  readonly commandId?: string;
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** Filters of DescribeInvocations. */
export interface InvocationsQuery {
  readonly invokeId?: string;
  readonly commandId?: string;
  readonly instanceId?: string;
  readonly invokeStatus?: string;
  readonly includeOutput?: boolean;
  readonly maxResults?: number;
  readonly nextToken?: string;
}

/** A task as DescribeInvocations reports it, with its per-instance rows. */
export interface InvocationSummary {
  readonly invokeId: string;
  readonly commandId: string;
  readonly commandName: string;
  /** Aggregate InvocationStatus, e.g. `Running`, `Success`, `PartialFailed`. */
  readonly status: string;
  readonly creationTime: string | undefined;
  readonly timeoutSeconds: number | undefined;
  /** The parameters as sent (returned in clear by the API). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly instances: readonly InstanceInvocationResult[];
}
