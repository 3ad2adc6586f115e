export { OssObjectStore, objectStoreFor, reportLinkSignerFor, uploadReportArchive, uploadWorkerBundle } from './OssObjectStore';
export { OssAccessDeniedError, OssConfigError, OssNotFoundError } from './errors';
export { ContentTypes, ObjectMeta } from './types';
export type { OssClientConfig } from './types';
