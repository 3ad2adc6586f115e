export { startOss } from './startOss';
export type { OssEmulator, OssEmulatorOptions } from './startOss';
export { resolveAddress } from './OssService';
export { canonicalRequest, parseRawQuery, signatureV4, stringToSignV4 } from './signatureV4';
