export type { FcContext, FcCredentials, FcLogger } from './types';
