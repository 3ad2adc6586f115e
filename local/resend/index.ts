export { startResend } from './startResend';
export type { ResendEmulator, ResendEmulatorOptions } from './startResend';
export { Outbox } from './Outbox';
export type { OutboxEntry, OutboxMessage } from './Outbox';
export { IdempotencyCache, RateWindow } from './admission';
export { isEmailAddress } from './validation';
export { ApiKeyPermissions } from './constants';
export { ResendApiError } from './errors';
