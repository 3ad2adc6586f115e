import OSS from 'ali-oss';

/** The `ali-oss` client class (CommonJS `module.exports`, seen as the default export from ESM). */
export const AliOss = OSS;

/** An `ali-oss` client instance. */
export type AliOssClient = OSS;

/** `ali-oss` options plus `sldEnable` (path-style addressing), which its typings leave out. */
export type AliOssOptions = OSS.Options & { readonly sldEnable?: boolean };
