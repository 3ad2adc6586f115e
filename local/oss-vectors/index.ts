export { CLOUD_SEARCHABLE_DELAY_MS, startOssVectorsEmulator } from './OssVectorsService';
export type { OssVectorsEmulator, OssVectorsEmulatorOptions } from './OssVectorsService';
export { CLOUD_WRITE_QUOTA, PUT_VECTOR_INDEX_PER_SECOND } from './writeQuota';
export type { IndexWriteCounts, WriteQuotaLimits } from './writeQuota';
