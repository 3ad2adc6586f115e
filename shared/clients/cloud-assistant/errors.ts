import { PermanentError, TransientError } from '../../errors';
import type { VectorSyncErrorOptions } from '../../errors';
import { InstanceErrorAction } from './constants';

/** What an API error answer said, kept on the typed errors. */
export interface ApiErrorContext {
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
