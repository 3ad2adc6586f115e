import { PermanentError } from '../../shared/errors';

/**
 * OSS error codes the emulator answers with and their HTTP status. OSS also sends an `EC` detail
 * code; the emulator leaves it out rather than guess values it cannot check.
 */
const OssErrors = {
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  SignatureDoesNotMatch: { status: 403, message: 'The request signature we calculated does not match the signature you provided.' },
  AccessDenied: { status: 403, message: 'Access denied.' },
  InvalidAccessKeyId: { status: 403, message: 'The OSS Access Key Id you provided does not exist in our records.' },
  InvalidSecurityToken: { status: 403, message: 'The security token you provided is invalid.' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  InvalidArgument: { status: 400, message: 'Invalid argument.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  InvalidObjectName: { status: 400, message: 'The object name is not valid.' },
} as const;

/** A code the emulator answers with. */
export type OssErrorCode = keyof typeof OssErrors;

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

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/gu, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? char);
}

/** The XML error body OSS sends: `<Error>` with Code, Message, RequestId, HostId and any extras. */
export function errorXml(code: string, message: string, requestId: string, hostId: string, extra: Readonly<Record<string, string>> = {}): string {
  const fields: [string, string][] = [['Code', code], ['Message', message], ['RequestId', requestId], ['HostId', hostId], ...Object.entries(extra)];
  const body = fields.map(([name, value]) => `  <${name}>${escapeXml(value)}</${name}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n${body}\n</Error>\n`;
}
