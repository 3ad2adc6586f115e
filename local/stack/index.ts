export { startLocalCloud, functionEnvironment } from './startLocalCloud';
export type { LocalCloud } from './startLocalCloud';
export { StackDefaults, FunctionSizing } from './constants';
export type { StackFunctionName } from './constants';
export { pipelineSnapshot, isQuiet, mainJobSummary } from './pipelineSnapshot';
export type { PipelineSnapshot } from './pipelineSnapshot';
export { waitFor, requestRun, waitForRun } from './requestRun';
export { compareIndex } from './compareIndex';
export { mainJobDatabaseProblem, withoutCredentials } from './checkDatabase';
