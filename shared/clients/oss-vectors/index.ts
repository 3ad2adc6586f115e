export { OssVectorsClient, scanVectors } from './OssVectorsClient';
export { checkVector } from './checks';
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
export type { OssVectorsClientOptions } from './options';
export type { IndexShape, MetadataValue, ValidationReason, VectorFilter, VectorInput, VectorMetadata } from './types';
export { signRequest } from './signer';
export type { OssCredentials } from './signer';
