/** What a worker command reports; printed as the one-line JSON summary on stdout. */
export interface CommandSummary {
  readonly ok: boolean;
  readonly command: string;
  /** The exit code of a failed command, when it knows a more specific one than `Failed`. */
  readonly exitCode?: number;
  readonly [key: string]: unknown;
}

/** A worker command: parses its own arguments and returns its summary. */
export interface WorkerCommand {
  readonly name: string;
  readonly description: string;
  run(args: readonly string[]): Promise<CommandSummary>;
}

/**
 * Exit codes of the worker, read by Cloud Assistant (0 success, anything else failure). They stay
 * below 64, which run-chunk.sh keeps for its own failures (64 bad parameter, 65 bad bundle, ...).
 */
export const ExitCode = {
  Ok: 0,
  /** The chunk or command failed for a reason not listed below. */
  Failed: 1,
  /** Unknown command or bad arguments. */
  Usage: 2,
  /** The settings file is missing, unsafe or holds a bad value. */
  Settings: 3,
  /** The ledger (Supabase Postgres) is unreachable or refused a move. */
  Ledger: 4,
  /** OSS Vectors failed (after the client's retries) or refused a request. */
  Oss: 5,
} as const;
