import { PermanentError } from '../../shared/errors';

/**
 * Error codes and statuses. Auth, bucket and argument codes are documented OSS codes; OSS
 * publishes no vector-specific codes, so `NoSuchVectorIndex` (seen in callers of the Python SDK)
 * and `VectorIndexAlreadyExists`/`TooManyVectorIndexes`/`TooManyBuckets` are the emulator's picks.
 */
const OssVectorsErrors = {
  InvalidArgument: { status: 400, message: 'Invalid argument.' },
  MissingArgument: { status: 400, message: 'Missing argument.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  TooManyBuckets: { status: 400, message: 'You have attempted to create more buckets than allowed.' },
  TooManyVectorIndexes: { status: 400, message: 'You have attempted to create more indexes than allowed.' },
  AccessDenied: { status: 403, message: 'Access denied.' },
  InvalidAccessKeyId: { status: 403, message: 'The OSS Access Key Id you provided does not exist in our records.' },
  InvalidSecurityToken: { status: 403, message: 'The security token you provided is invalid.' },
  SignatureDoesNotMatch: { status: 403, message: 'The request signature we calculated does not match the signature you provided.' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.' },
  NoSuchVectorIndex: { status: 404, message: 'The specified vector index does not exist.' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  VectorIndexAlreadyExists: { status: 409, message: 'The requested index name already exists.' },
  Throttling: { status: 429, message: 'Request was denied due to request throttling.' },
} as const;

/** A code the emulator answers with. */
type OssVectorsErrorCode = keyof typeof OssVectorsErrors;

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
