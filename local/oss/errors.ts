import { PermanentError } from '../../shared/errors';
import { OssErrors } from './constants';
import type { OssErrorCode } from './constants';

/** A refusal in OSS's terms; the service turns it into the XML error body (or `x-oss-err`). */
export class OssApiError extends PermanentError {
  readonly status: number;
  readonly ossCode: OssErrorCode;
  /** Extra elements of the XML body, e.g. `Key`, `CanonicalRequest`. */
  readonly extra: Readonly<Record<string, string>>;

  constructor(code: OssErrorCode, message?: string, extra: Readonly<Record<string, string>> = {}) {
    super(message ?? OssErrors[code].message, { code, details: extra });
    this.status = OssErrors[code].status;
    this.ossCode = code;
    this.extra = extra;
  }
}

/** The emulator's settings are unusable (no credential, a bad bucket name). */
export class OssEmulatorConfigError extends PermanentError {}
