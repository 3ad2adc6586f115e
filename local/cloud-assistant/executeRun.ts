// One instance's share of an invocation: the instance checks, the rendered script run in bash as
// the agent runs it (own process group, 24 KB of output, timeout kills the tree), and its outcome.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isoTime } from './invocations';
import type { InstanceRun, InvocationRecord, RunStatus } from './invocations';
import { EmulatorLimits, renderScript } from './requests';

/** The instance states the emulator knows. */
export const InstanceState = { Online: 'online', AgentOffline: 'agent-offline', Stopped: 'stopped' } as const;
export type InstanceState = (typeof InstanceState)[keyof typeof InstanceState];

/** `PATH` of a Cloud Assistant script on Linux: no profile or rc file is sourced. */
const ECS_SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

/** What running one instance's share of an invocation needs. */
interface RunContext {
  readonly state: InstanceState;
  /** The instance's root home (HOME and default working directory). */
  readonly home: string;
  readonly region: string;
  readonly accountId: string;
  readonly scriptDir: string;
  readonly timeScale: number;
  readonly env: Readonly<Record<string, string>>;
  readonly trackProcess: (pgid: number, alive: boolean) => void;
}

/** The end of a run, applied by the caller unless the run was stopped meanwhile. */
export interface RunEnd {
  readonly status: RunStatus;
  readonly errorCode: string;
  readonly errorInfo: string;
  readonly exitCode?: number;
  readonly output?: Buffer;
  readonly dropped?: number;
}

function never(status: RunStatus, errorCode: string, errorInfo: string): RunEnd {
  return { status, errorCode, errorInfo };
}

/**
 * Runs one instance's share: refuses it per instance when the instance is stopped, its agent is
 * offline, the type is not a Linux shell or the directory is missing; otherwise marks it Running,
 * substitutes the parameters, runs it in bash with the ECS environment and maps the outcome.
 */
export async function executeRun(record: InvocationRecord, run: InstanceRun, context: RunContext): Promise<RunEnd> {
  // A run that never starts is Aborted (not delivered) or Invalid (the request cannot run there);
  // Failed is kept for a script that ran and exited non-zero, as the cloud reports it.
  if (context.state === InstanceState.Stopped) return never('Aborted', 'InstanceNotRunning', 'the instance is not running');
  if (context.state === InstanceState.AgentOffline) return never('Aborted', 'ClientNotRunning', 'the Cloud Assistant client is not running');
  if (record.spec.type !== 'RunShellScript') return never('Invalid', 'CommandNotApplicable', `${record.spec.type} does not run on a Linux instance`);
  const cwd = record.spec.workingDir ?? context.home;
  if (!existsSync(cwd)) return never('Invalid', 'DirectoryNotExists', `the working directory ${cwd} does not exist`);
  run.status = 'Running';
  run.startTime = isoTime();
  run.updateTime = run.startTime;
  const script = record.spec.enableParameter
    ? renderScript(record.spec.content, record.spec.parameters, {
        'acs::instanceid': run.instanceId,
        'acs::instancename': run.instanceId,
        'acs::invokeid': record.invokeId,
        'acs::commandid': record.commandId,
        'acs::regionid': context.region,
        'acs::accountid': context.accountId,
      })
    : record.spec.content;
  const scriptPath = join(context.scriptDir, `${record.invokeId}-${run.instanceId}.sh`);
  await writeFile(scriptPath, script, { mode: 0o700 });
  try {
    const outcome = await runScript({
      scriptPath,
      cwd,
      env: { PATH: ECS_SCRIPT_PATH, HOME: context.home, ...context.env },
      timeoutMs: Math.max(1, Math.round(record.spec.timeoutSeconds * 1000 * context.timeScale)),
      onProcess: context.trackProcess,
    });
    const base = { exitCode: outcome.exitCode, output: outcome.output, dropped: outcome.dropped };
    if (outcome.timedOut) return { ...base, status: 'Timeout', errorCode: 'ExecutionTimeout', errorInfo: `the command ran longer than ${record.spec.timeoutSeconds} s` };
    if (outcome.exitCode !== 0) return { ...base, status: 'Failed', errorCode: 'ExitCodeNonzero', errorInfo: `the command exited with code ${outcome.exitCode}` };
    return { ...base, status: 'Success', errorCode: '', errorInfo: '' };
  } finally {
    await rm(scriptPath, { force: true });
  }
}

/** How to run one script. */
interface ScriptOptions {
  /** The script file; bash runs it as `bash <file>`, as the agent runs its saved script. */
  readonly scriptPath: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Told the child's process group id when it starts (`alive`) and when it is gone. */
  readonly onProcess?: (pgid: number, alive: boolean) => void;
}

/** What a script did. */
interface ScriptOutcome {
  /** The exit code; 128 + signal number when a signal ended it, as bash reports it. */
  readonly exitCode: number;
  readonly timedOut: boolean;
  /** The first 24 KB of stdout and stderr, interleaved as written. */
  readonly output: Buffer;
  readonly dropped: number;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Kills a whole process group; it may already be gone. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already exited.
  }
}

/**
 * Runs a script in `bash` as the leader of its own process group, keeps the first 24 KB of its
 * output and counts the rest, and on timeout kills the whole tree.
 */
function runScript(options: ScriptOptions): Promise<ScriptOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [options.scriptPath], { cwd: options.cwd, env: { ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let dropped = 0;
    let timedOut = false;
    const collect = (chunk: Buffer): void => {
      const room = EmulatorLimits.maxOutputBytes - keptBytes;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        kept.push(part);
        keptBytes += part.length;
      }
      dropped += Math.max(0, chunk.length - Math.max(0, room));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const pgid = child.pid;
    if (pgid !== undefined) options.onProcess?.(pgid, true);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      if (pgid !== undefined) options.onProcess?.(pgid, false);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Background children left behind by a finished script go with it, as with ProcessTree.
      if (pgid !== undefined) {
        killGroup(pgid);
        options.onProcess?.(pgid, false);
      }
      const exitCode = code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0);
      resolve({ exitCode, timedOut, output: Buffer.concat(kept), dropped });
    });
  });
}
