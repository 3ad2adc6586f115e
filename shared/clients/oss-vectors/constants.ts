/**
 * Limits the client checks before sending. Where documentation pages disagree (reference §5) the
 * default is the stricter, older figure; every value can be overridden in the client options.
 */
export const OssVectorsLimitDefaults = {
  maxVectorsPerPut: 500,
  maxKeyBytes: 1024,
  maxMetadataBytes: 40 * 1024,
  maxMetadataKeys: 10,
  maxFilterableMetadataBytes: 2 * 1024,
  /** 30 on the Jan 2026 pages, 100 on later ones. */
  maxTopK: 30,
  maxGetKeys: 100,
  maxDeleteKeys: 500,
  maxSegments: 16,
  maxFilterBytes: 64 * 1024,
} as const;

/**
 * Throttling and retry defaults. An index's write quota: 5 write calls and 2,500 vectors a second
 * (the older pages' 5 PutVectors/s of 500; the newer 1,000 QPS with 2,500 vectors in flight gives
 * the same vectors/s).
 */
export const OssVectorsClientDefaults = {
  indexWriteQps: 5,
  indexWriteVectorsPerSecond: 2500,
  /** Write pacing headroom: a second's quota is spread over 1,050 ms, absorbing 50 ms of arrival jitter. */
  writePaceMarginMs: 50,
  putVectorIndexQps: 5,
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
  requestTimeoutMs: 30_000,
} as const;

/** Distance metrics an index can use (no dot product). */
export const DistanceMetrics = { cosine: 'cosine', euclidean: 'euclidean' } as const;

/**
 * Why the client refused input before sending it; the vector-level reasons match the ledger's
 * rejection codes.
 */
export const ValidationReasons = {
  EmptyBatch: 'EmptyBatch',
  TooManyVectors: 'TooManyVectors',
  DuplicateKey: 'DuplicateKey',
  InvalidKey: 'InvalidKey',
  DimensionMismatch: 'DimensionMismatch',
  NonFiniteValue: 'NonFiniteValue',
  ZeroVectorOnCosine: 'ZeroVectorOnCosine',
  MetadataTooLarge: 'MetadataTooLarge',
  TooManyMetadataKeys: 'TooManyMetadataKeys',
  InvalidMetadataValue: 'InvalidMetadataValue',
  TooManyKeys: 'TooManyKeys',
  InvalidTopK: 'InvalidTopK',
  FilterTooLarge: 'FilterTooLarge',
  InvalidArgument: 'InvalidArgument',
} as const;

/** The operations of the client; retry, rate limits and errors name them. */
export const OssVectorsOperations = {
  PutVectorBucket: 'PutVectorBucket',
  GetVectorBucket: 'GetVectorBucket',
  ListVectorBuckets: 'ListVectorBuckets',
  DeleteVectorBucket: 'DeleteVectorBucket',
  PutVectorIndex: 'PutVectorIndex',
  GetVectorIndex: 'GetVectorIndex',
  ListVectorIndexes: 'ListVectorIndexes',
  DeleteVectorIndex: 'DeleteVectorIndex',
  PutVectors: 'PutVectors',
  GetVectors: 'GetVectors',
  ListVectors: 'ListVectors',
  DeleteVectors: 'DeleteVectors',
  QueryVectors: 'QueryVectors',
} as const;

