export { OssVectorsClient } from './OssVectorsClient';
export type { ListVectorsInput, QueryVectorsInput, VectorPage } from './OssVectorsClient';
export type { TransportHooks } from './OssVectorsTransport';
export { scanVectors } from './scanVectors';
export type { ScanVectorsInput } from './scanVectors';
export { checkVector } from './checkVector';
export { checkPutBatch } from './checkPutBatch';
export { DistanceMetrics, OssVectorsClientDefaults, OssVectorsLimitDefaults, OssVectorsOperations, ValidationReasons } from './constants';
export {
  OssVectorsAccessDeniedError,
  OssVectorsConfigError,
  OssVectorsNetworkError,
  OssVectorsNotFoundError,
  OssVectorsRequestError,
  OssVectorsResponseError,
  OssVectorsUnavailableError,
  OssVectorsValidationError,
} from './errors';
export type { ServiceErrorContext } from './errors';
export { OssVectorsClientOptionsSchema, OssVectorsLimitsSchema } from './options-schema';
export type { OssVectorsClientConfig, OssVectorsClientOptions, OssVectorsLimits } from './options-schema';
export type { VectorBucket, VectorIndex, VectorOutput } from './response-schemas';
export type { DistanceMetric, FilterCondition, IndexRef, IndexShape, MetadataValue, OssVectorsOperation, ValidationReason, VectorFilter, VectorInput, VectorMetadata } from './types';
export { signRequest } from './signer';
export type { OssCredentials } from './signer';
