export { OssVectorsClient, scanVectors } from './OssVectorsClient';
export { checkVector } from './checks';
export { IndexWriteBucket } from './IndexWriteBucket';
export type { WriteRates, WriteStats } from './IndexWriteBucket';
export { PreparedVector, prepareVector } from './prepared';
export type { VectorTextInput } from './prepared';
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
export type { IndexShape, MetadataValue, ValidationReason, VectorFilter, VectorInput, VectorMetadata, VectorOutput } from './types';
export type { HttpAnswer, HttpCall, TransportHooks } from './OssVectorsTransport';
export { signRequest } from './signer';
export type { OssCredentials } from './signer';
