// The worker's command line: strict flag parsing, one JSON summary line on stdout whatever
// happens, logs and usage on stderr, and an exit code that tells an operator which side failed.
import { parseArgs } from 'node:util';
import type * as z from 'zod';
import { OssVectorsConfigError, OssVectorsNetworkError, OssVectorsRequestError, OssVectorsResponseError, OssVectorsUnavailableError } from '../shared/clients/oss-vectors';
import { ConfigError } from '../shared/config';
import type { WorkerSummary } from '../shared/contracts';
import { PermanentError, classifyError, describeError } from '../shared/errors';
import { LedgerRefusedError, LedgerShapeError, LedgerUnavailableError } from '../shared/ledger';
import { RetriesExhaustedError } from '../shared/retry';
import { SettingsFileError } from './context';
import { InstanceRoleCredentialsError } from './instanceRoleCredentials';

/** The command line is wrong: unknown command or bad arguments (exit code 2). */
export class UsageError extends PermanentError {}

/** A worker command: parses its own arguments and returns its summary. */
export interface WorkerCommand {
  readonly name: string;
  readonly description: string;
  execute(args: readonly string[]): Promise<WorkerSummary>;
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

/** Flags a command accepts: every one takes a value, except the booleans named here. */
export interface FlagSpec {
  readonly strings: readonly string[];
  readonly booleans?: readonly string[];
}

/**
 * Parses `--flag value` arguments strictly (unknown flags and stray positionals are usage errors)
 * and checks them with a zod schema keyed by the flag names in camelCase.
 */
export function parseFlags<S extends z.ZodType>(command: string, args: readonly string[], spec: FlagSpec, schema: S): z.output<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of spec.strings) options[name] = { type: 'string' };
  for (const name of spec.booleans ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const camel = Object.fromEntries(Object.entries(values).map(([key, value]) => [key.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase()), value]));
  const parsed = schema.safeParse(camel);
  if (!parsed.success) {
    const text = parsed.error.issues.map((issue) => `--${String(issue.path[0] ?? '?').replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`).join('; ');
    throw new UsageError(`${command}: ${text}`, { cause: parsed.error });
  }
  return parsed.data;
}

const OSS_ERRORS = [OssVectorsUnavailableError, OssVectorsRequestError, OssVectorsNetworkError, OssVectorsResponseError] as const;
const LEDGER_ERRORS = [LedgerUnavailableError, LedgerRefusedError, LedgerShapeError] as const;

/** The exit code that tells an operator which side failed: arguments, settings, ledger or OSS. */
export function exitCodeFor(error: unknown): number {
  // A retried call that never succeeded is judged by its last failure.
  const root = error instanceof RetriesExhaustedError ? error.cause : error;
  if (root instanceof UsageError) return ExitCode.Usage;
  // The instance role's keys are part of the settings: a role not attached, or no metadata service.
  if (root instanceof SettingsFileError || root instanceof ConfigError || root instanceof OssVectorsConfigError || root instanceof InstanceRoleCredentialsError) return ExitCode.Settings;
  if (LEDGER_ERRORS.some((type) => root instanceof type)) return ExitCode.Ledger;
  if (OSS_ERRORS.some((type) => root instanceof type)) return ExitCode.Oss;
  return ExitCode.Failed;
}

/** The worker version baked in at build time (esbuild `define`), or `dev` from source. */
declare const __WORKER_VERSION__: string | undefined;

function workerVersion(): string {
  return typeof __WORKER_VERSION__ === 'string' ? __WORKER_VERSION__ : 'dev';
}

/** `worker version`: which build runs here, so that run-chunk.sh and operators can check it. */
export const versionCommand: WorkerCommand = {
  name: 'version',
  description: 'print the worker version and the Node.js version',
  async execute() {
    return { ok: true, command: 'version', version: workerVersion(), node: process.versions.node };
  },
};

/** Where the CLI writes: stdout carries only the JSON summary line, stderr the logs and usage. */
export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

function usage(commands: readonly WorkerCommand[]): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(14)} ${c.description}`).join('\n');
  return `usage: worker <command> [options]\n\ncommands:\n${rows}`;
}

/**
 * Runs one worker command and returns the process exit code. Whatever happens, stdout gets
 * exactly one JSON line, so the Cloud Assistant output is always machine-readable.
 */
export async function runCli(argv: readonly string[], commands: readonly WorkerCommand[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stderr(usage(commands));
    io.stdout(JSON.stringify({ ok: name !== undefined, command: 'help' }));
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(`unknown command "${name}"; known commands: ${commands.map((c) => c.name).join(', ')}`);
    }
    const summary: WorkerSummary = await command.execute(args);
    io.stdout(JSON.stringify(summary));
    return summary.ok ? ExitCode.Ok : (summary.exitCode ?? ExitCode.Failed);
  } catch (error) {
    const described = describeError(error);
    const exitCode = exitCodeFor(error);
    io.stdout(JSON.stringify({ ok: false, command: name, kind: classifyError(error), exitCode, error: described }));
    if (error instanceof UsageError) io.stderr(usage(commands));
    return exitCode;
  }
}
