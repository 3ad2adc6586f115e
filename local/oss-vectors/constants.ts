/** Defaults of a local OSS Vectors: one account, one fixed key, the Hangzhou region. */
export const OssVectorsEmulatorDefaults = {
  region: 'cn-hangzhou',
  accountId: '1234567890123456',
  accessKeyId: 'LTAI-local-oss-vectors',
  accessKeySecret: 'local-oss-vectors-secret',
} as const;

/**
 * Limits the emulator answers. Where the documentation disagrees it takes the newer figure (the
 * client defaults to the stricter one), and every value can be overridden.
 */
export const OssVectorsEmulatorLimits = {
  maxBuckets: 100,
  maxIndexesPerBucket: 100,
  maxVectorsPerPut: 500,
  maxKeyBytes: 1024,
  maxDimension: 4096,
  maxMetadataBytes: 40 * 1024,
  maxMetadataKeys: 10,
  maxFilterableMetadataBytes: 2 * 1024,
  maxNonFilterableKeys: 10,
  maxTopK: 100,
  maxGetKeys: 100,
  maxDeleteKeys: 500,
  maxListResults: 1000,
  defaultListResults: 500,
  maxListPageBytes: 1024 * 1024,
  maxSegments: 16,
  maxIndexPageResults: 500,
  defaultIndexPageResults: 100,
  maxFilterBytes: 64 * 1024,
  maxFilterConditions: 1024,
  maxFilterDepth: 8,
  /** A header-signed request may be this far from the server clock (standard OSS: 15 min). */
  maxClockSkewMs: 15 * 60 * 1000,
} as const;

/**
 * Error codes and statuses. Auth, bucket and argument codes are documented OSS codes; OSS
 * publishes no vector-specific codes, so `NoSuchVectorIndex` (seen in callers of the Python SDK)
 * and `VectorIndexAlreadyExists`/`TooManyVectorIndexes`/`TooManyBuckets` are the emulator's picks.
 */
export const OssVectorsErrors = {
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
export type OssVectorsErrorCode = keyof typeof OssVectorsErrors;
