import { PermanentError } from '../../shared/errors';
import { ResendApiErrors } from './constants';
import type { ResendApiErrorName } from './constants';

/** A refusal in Resend's terms; the service turns it into `{statusCode, message, name}`. */
export class ResendApiError extends PermanentError {
  readonly status: number;
  readonly resendName: ResendApiErrorName;
  /** Extra response headers (e.g. the rate limit ones on a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(resendName: ResendApiErrorName, message: string, options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}) {
    super(message, { code: resendName });
    this.resendName = resendName;
    this.status = options.status ?? ResendApiErrors[resendName];
    this.headers = options.headers ?? {};
  }
}

/** The emulator's settings are unusable (no key, a bad rate). */
export class ResendEmulatorConfigError extends PermanentError {}
