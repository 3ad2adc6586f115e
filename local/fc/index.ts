export { LocalFunction } from './LocalFunction';
export type { OutputSink } from './LocalFunction';
export { LocalFunctionSpecError } from './errors';
export type { LocalFunctionSpec, LocalInvokeResult, LocalInvokeOptions, FcErrorBody } from './types';
