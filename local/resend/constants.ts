/** Defaults of a local Resend: one full-access key and Resend's documented default rate. */
export const ResendEmulatorDefaults = {
  apiKey: 're_local_0000000000000000000000000000',
  /** Requests per second per team, as on Resend's current "Usage Limits" page. */
  ratePerSecond: 5,
} as const;

/** Limits Resend documents for the calls the emulator serves. */
export const ResendEmulatorLimits = {
  maxRecipients: 50,
  maxBatchEmails: 100,
  minIdempotencyKeyLength: 1,
  maxIdempotencyKeyLength: 256,
  idempotencyTtlMs: 24 * 60 * 60 * 1000,
  maxTagLength: 256,
  maxScheduleAheadMs: 30 * 24 * 60 * 60 * 1000,
  rateWindowMs: 1000,
} as const;

/** What an API key may do: everything, or only send (`GET /emails/:id` is then refused). */
export const ApiKeyPermissions = {
  fullAccess: 'full_access',
  sendingAccess: 'sending_access',
} as const;

/** What an API key may do. */
export type ApiKeyPermission = (typeof ApiKeyPermissions)[keyof typeof ApiKeyPermissions];

/** A key the emulator accepts. */
export interface ApiKeyGrant {
  readonly key: string;
  readonly permission: ApiKeyPermission;
}

/** The operations served; faults match on these names. */
export const ResendOperations = {
  sendEmail: 'SendEmail',
  sendBatch: 'SendBatchEmails',
  getEmail: 'GetEmail',
  methodNotAllowed: 'MethodNotAllowed',
} as const;
