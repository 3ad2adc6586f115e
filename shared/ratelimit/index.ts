export { TokenBucket } from './TokenBucket';
export type { TokenBucketOptions } from './TokenBucket';
