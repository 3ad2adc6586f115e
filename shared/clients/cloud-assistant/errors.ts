import { PermanentError, TransientError, classifyError, describeError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';
import { readField } from '../../values';

/** What a dispatcher should do when one instance could not run a command. */
export const InstanceErrorAction = {
  /** The instance (or its agent) is unavailable: run the chunk on another instance. */
  TryAnotherInstance: 'try-another-instance',
  /** The command itself failed or was refused: another instance would fail the same way. */
  Fail: 'fail',
} as const;
export type InstanceErrorAction = (typeof InstanceErrorAction)[keyof typeof InstanceErrorAction];

/**
 * Codes (per-instance `ErrorCode`s and the instance-level API codes) that say the instance could
 * not take the command; every other code means the command failed on its own terms.
 */
const INSTANCE_UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'InstanceNotExists',
  'InstanceReleased',
  'InstanceNotRunning',
  'ClientNotRunning',
  'ClientNotResponse',
  'ClientIsUpgrading',
  'ClientNeedUpgrade',
  'DeliveryTimeout',
  'InvalidInstance.NotFound',
  'InvalidInstance.NotMatch',
]);

/** API codes worth another attempt besides throttling and 5xx. */
const TRANSIENT_API_CODES: ReadonlySet<string> = new Set(['IdempotentProcessing', 'InternalError.Dispatch', 'ServiceUnavailable']);

/** What an API error answer said, kept on the typed errors. */
interface ApiErrorContext {
  readonly code: string;
  readonly statusCode?: number;
  readonly requestId?: string;
}

type ApiErrorOptions = Omit<VectorSyncErrorOptions, 'code'> & ApiErrorContext;

function apiDetails(options: ApiErrorOptions): VectorSyncErrorOptions {
  const { code, statusCode, requestId, ...rest } = options;
  return { ...rest, code, details: { ...rest.details, code, statusCode, requestId } };
}

/** The client settings are unusable (no endpoint, no credentials). */
export class CloudAssistantConfigError extends PermanentError {}

/** A RunCommand request the client refuses before sending: the API would refuse it too. */
export class InvalidCommandError extends PermanentError {}

/** CommandContent plus Parameters exceed 24 KB after Base64. */
export class CommandTooLargeError extends InvalidCommandError {
  constructor(bytes: number, limit: number) {
    super(`command content and parameters are ${bytes} bytes after Base64; RunCommand takes at most ${limit}`, {
      code: 'CmdContent.ExceedLimit',
      details: { bytes, limit },
    });
  }
}

/** More custom parameters than RunCommand takes. */
export class TooManyParametersError extends InvalidCommandError {
  constructor(count: number, limit: number) {
    super(`${count} parameters given; RunCommand takes at most ${limit}`, { code: 'ParameterCount.ExceedLimit', details: { count, limit } });
  }
}

/** A parameter name outside `[a-zA-Z0-9_-]` or longer than 64 characters. */
export class InvalidParameterNameError extends InvalidCommandError {
  constructor(name: string) {
    super(`parameter name ${JSON.stringify(name)} must be 1-64 of [a-zA-Z0-9_-]`, { code: 'InvalidParameter.Parameters', details: { name } });
  }
}

/** A ClientToken that is not ASCII or longer than 64 characters. */
export class InvalidClientTokenError extends InvalidCommandError {
  constructor(length: number) {
    super(`ClientToken must be at most 64 ASCII characters (got ${length} characters)`, { code: 'InvalidClientToken.Malformed', details: { length } });
  }
}

/** Cloud Assistant refused the request (bad signature, bad parameter, idempotency mismatch...). */
export class CloudAssistantRequestError extends PermanentError {
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, apiDetails(options));
    this.statusCode = options.statusCode;
    this.requestId = options.requestId;
  }
}

/** Throttling, 5xx or a network failure; after the client's retries it still failed. */
export class CloudAssistantUnavailableError extends TransientError {
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  /** The delay the server asked for (`x-acs-retry-after`), if any. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ApiErrorOptions & { readonly retryAfterMs?: number }) {
    super(message, apiDetails(options));
    this.statusCode = options.statusCode;
    this.requestId = options.requestId;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The API refused the instances themselves (unknown, or not in a state to run commands). */
export class InstanceUnavailableError extends PermanentError {
  readonly action = InstanceErrorAction.TryAnotherInstance;
  readonly instanceIds: readonly string[];
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, instanceIds: readonly string[], options: ApiErrorOptions) {
    const base = apiDetails(options);
    super(message, { ...base, details: { ...base.details, instanceIds } });
    this.instanceIds = instanceIds;
    this.statusCode = options.statusCode;
    this.requestId = options.requestId;
  }
}

/** An answer did not have the documented shape. */
export class CloudAssistantResponseError extends PermanentError {}

/** Says whether a per-instance (or instance-level API) error code calls for another instance. */
export function classifyInstanceError(code: string): InstanceErrorAction {
  return INSTANCE_UNAVAILABLE_CODES.has(code) ? InstanceErrorAction.TryAnotherInstance : InstanceErrorAction.Fail;
}


function readString(value: unknown, key: string): string | undefined {
  const field = readField(value, key);
  return typeof field === 'string' && field !== '' && field !== 'undefined' ? field : undefined;
}

/**
 * The generic client (`@alicloud/openapi-core`) reads `x-acs-retry-after` as a bare integer whose
 * unit is undocumented; its own retry policy treats it as milliseconds, and so does this client.
 */
function retryAfterOf(error: unknown): number | undefined {
  const value = readField(error, 'retryAfter');
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Wraps what the generic client threw. Throttling (any status: ECS answers it with 400), 5xx and
 * network failures are transient; an instance the API refuses is an InstanceUnavailableError;
 * every other answered error is permanent.
 */
export function classifyApiError(
  error: unknown,
  operation: string,
  instanceIds: readonly string[] = [],
): CloudAssistantRequestError | CloudAssistantUnavailableError | InstanceUnavailableError {
  const { message } = describeError(error);
  const code = readString(error, 'code');
  const statusCode = readField(error, 'statusCode');
  const context = {
    code: code ?? 'NetworkError',
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    ...(readString(error, 'requestId') ? { requestId: readString(error, 'requestId') } : {}),
    cause: error,
  };
  const text = `${operation} failed: ${message}`;
  const answered = typeof statusCode === 'number' && code !== undefined;
  if (!answered) {
    // A connection failure, a timeout, or an error body that is not JSON (a proxy's HTML page).
    return classifyError(error) === 'transient' ? new CloudAssistantUnavailableError(text, context) : new CloudAssistantRequestError(text, context);
  }
  if (code.includes('Throttling') || statusCode >= 500 || TRANSIENT_API_CODES.has(code)) {
    const retryAfterMs = retryAfterOf(error);
    return new CloudAssistantUnavailableError(text, { ...context, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (INSTANCE_UNAVAILABLE_CODES.has(code)) return new InstanceUnavailableError(text, instanceIds, context);
  return new CloudAssistantRequestError(text, context);
}
