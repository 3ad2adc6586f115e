export { runCli } from './runCli';
export type { CliIo } from './runCli';
export { versionCommand, workerVersion } from './versionCommand';
export { UsageError } from './errors';
export { ExitCode } from './types';
export type { CommandSummary, WorkerCommand } from './types';
