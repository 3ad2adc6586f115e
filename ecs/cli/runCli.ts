import { classifyError, describeError } from '../../shared/errors';
import { UsageError } from './errors';
import { exitCodeFor } from './exitCodeFor';
import { ExitCode } from './types';
import type { CommandSummary, WorkerCommand } from './types';

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
    const summary: CommandSummary = await command.run(args);
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
