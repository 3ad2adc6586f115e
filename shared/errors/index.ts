export { VectorSyncError, TransientError, PermanentError } from './errors';
export type { ErrorKind, VectorSyncErrorOptions } from './errors';
export { classifyError, describeError } from './classifyError';
