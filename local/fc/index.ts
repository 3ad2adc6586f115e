export { LocalFunction, LocalFunctionSpecError } from './LocalFunction';
export type { OutputSink } from './LocalFunction';
export type { LocalFunctionSpec, LocalInvokeResult } from './types';
