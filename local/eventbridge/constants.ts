/** Limits the emulator enforces on PutEvents (the stricter documented column). */
export const EmulatorLimits = {
  maxEventsPerRequest: 16,
  maxRequestBytes: 256 * 1024,
  maxEventBytes: 64 * 1024,
  maxRulesPerBus: 50,
  maxTargetsPerRule: 5,
} as const;

/** Defaults of the local account. */
export const EmulatorDefaults = {
  accountId: '1234567890123456',
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-eventbridge',
  accessKeySecret: 'local-eventbridge-secret',
  timeScale: 1,
} as const;

/** The bus every account has. */
export const DEFAULT_BUS = 'default';

/** Bus and rule names: up to 127 of [A-Za-z0-9-], starting with a letter or digit. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,126}$/u;
