export { startOssVectorsEmulator } from './OssVectorsService';
export type { OssVectorsEmulator, OssVectorsEmulatorOptions } from './OssVectorsService';
