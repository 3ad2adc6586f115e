import { PermanentError } from '../../shared/errors';
import { OssVectorsErrors } from './constants';
import type { OssVectorsErrorCode } from './constants';

/** A refusal in OSS terms; the service turns it into the JSON error body. */
export class OssVectorsApiError extends PermanentError {
  readonly status: number;
  readonly ossCode: OssVectorsErrorCode;

  constructor(code: OssVectorsErrorCode, message?: string, options: { cause?: unknown } = {}) {
    super(message ?? OssVectorsErrors[code].message, { code, ...options });
    this.status = OssVectorsErrors[code].status;
    this.ossCode = code;
  }
}

/** The emulator's settings or data directory are unusable. */
export class OssVectorsEmulatorConfigError extends PermanentError {}
