export { runCli } from './runCli';
export type { CliIo } from './runCli';
export { versionCommand, workerVersion } from './versionCommand';
export { UsageError } from './errors';
export { ExitCode } from './types';
export type { CommandSummary, WorkerCommand } from './types';
export { exitCodeFor } from './exitCodeFor';
export { parseFlags } from './parseFlags';
export type { FlagSpec } from './parseFlags';
