export { startOssVectorsEmulator } from './startOssVectorsEmulator';
export type { OssVectorsEmulator, OssVectorsEmulatorOptions } from './startOssVectorsEmulator';
export { OssVectorsService } from './OssVectorsService';
export type { OssVectorsServiceOptions } from './OssVectorsService';
export { OssVectorsEmulatorDefaults, OssVectorsEmulatorLimits, OssVectorsErrors } from './constants';
export type { OssVectorsErrorCode } from './constants';
export { OssVectorsApiError, OssVectorsEmulatorConfigError } from './errors';
export type { EmulatorCredential, EmulatorLimits } from './types';
