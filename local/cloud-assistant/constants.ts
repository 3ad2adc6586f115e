/** Defaults of the local account and its instances. */
export const CloudAssistantEmulatorDefaults = {
  accountId: '1234567890123456',
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-ecs',
  accessKeySecret: 'local-ecs-secret',
  /** Multiplies every command Timeout (e.g. 0.05 in tests, so Timeout 10 lasts 0.5 s). */
  timeScale: 1,
  /** How far `x-acs-date` may be from the emulator's clock. */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

/** The API version the SDK sends in `x-acs-version`. */
export const ECS_API_VERSION = '2014-05-26';

/** The documented RunCommand and Describe limits the emulator enforces. */
export const EmulatorLimits = {
  maxContentBase64Bytes: 24 * 1024,
  maxParameters: 10,
  maxParameterKeyLength: 64,
  maxPlaceholders: 20,
  maxInstances: 100,
  maxClientTokenLength: 64,
  maxNameLength: 128,
  maxDescriptionLength: 512,
  maxWorkingDirLength: 200,
  maxOutputBytes: 24 * 1024,
  maxResults: 50,
  defaultMaxResults: 10,
  defaultTimeoutSeconds: 60,
} as const;

/** `PATH` of a Cloud Assistant script on Linux: no profile or rc file is sourced. */
export const ECS_SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

/** Headers an ACS3 signature must cover. */
export const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'] as const;

/** The instance states the emulator knows. */
export const InstanceState = { Online: 'online', AgentOffline: 'agent-offline', Stopped: 'stopped' } as const;
export type InstanceState = (typeof InstanceState)[keyof typeof InstanceState];
