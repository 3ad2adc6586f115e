export { Mailer, mailerFor } from './Mailer';
export {
  ResendAuthError,
  ResendIdempotencyError,
  ResendQuotaExceededError,
  ResendRateLimitedError,
  ResendRejectedError,
  ResendRetriesExhaustedError,
  ResendUnavailableError,
  ResendValidationError,
  classifyResendError,
  readRateLimit,
} from './errors';
export type { MailMessage, MailerConfig } from './types';
