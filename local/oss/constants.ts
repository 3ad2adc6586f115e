/** Defaults of a local OSS: one fixed key, one bucket, the Hangzhou region. */
export const OssEmulatorDefaults = {
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-oss',
  accessKeySecret: 'local-oss-secret',
  bucket: 'vector-sync-local',
} as const;

/** Limits OSS applies to the calls the emulator serves. */
export const OssEmulatorLimits = {
  /** A V4 presigned URL lives 1 s to 7 days. */
  minExpiresSeconds: 1,
  maxExpiresSeconds: 604_800,
  /** A header-signed request may be this far from the server clock. */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

/** The signature algorithm name of OSS V4 (header and query forms). */
export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** The payload hash OSS V4 clients send for an unsigned body. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * OSS error codes the emulator answers with and their HTTP status. OSS also sends an `EC` detail
 * code; the emulator leaves it out rather than guess values it cannot check.
 */
export const OssErrors = {
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
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
} as const;

/** A code the emulator answers with. */
export type OssErrorCode = keyof typeof OssErrors;
