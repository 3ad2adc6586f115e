/** RunCommand limits the client checks before sending (reference section 2). */
export const RunCommandLimits = {
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
export const PARAMETER_NAME = /^[A-Za-z0-9_-]+$/u;

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
export const INSTANCE_UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
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
export const TRANSIENT_API_CODES: ReadonlySet<string> = new Set(['IdempotentProcessing', 'InternalError.Dispatch', 'ServiceUnavailable']);

/** Per-instance statuses after which nothing changes any more. */
export const FINAL_INVOCATION_STATUSES: ReadonlySet<string> = new Set([
  'Success',
  'Failed',
  'Timeout',
  'Error',
  'Invalid',
  'Aborted',
  'Cancelled',
  'Stopped',
  'Terminated',
]);
