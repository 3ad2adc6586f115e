/** What a worker command reports; printed as the one-line JSON summary on stdout. */
export interface CommandSummary {
  readonly ok: boolean;
  readonly command: string;
  readonly [key: string]: unknown;
}

/** A worker command: parses its own arguments and returns its summary. */
export interface WorkerCommand {
  readonly name: string;
  readonly description: string;
  run(args: readonly string[]): Promise<CommandSummary>;
}

/** Exit codes of the worker, read by Cloud Assistant (0 success, anything else failure). */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;
