import { spawn } from 'node:child_process';
import { EmulatorLimits } from './constants';

/** How to run one script. */
export interface ScriptOptions {
  /** The script file; bash runs it as `bash <file>`, as the agent runs its saved script. */
  readonly scriptPath: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Told the child's process group id when it starts (`alive`) and when it is gone. */
  readonly onProcess?: (pgid: number, alive: boolean) => void;
}

/** What a script did. */
export interface ScriptOutcome {
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
export function runScript(options: ScriptOptions): Promise<ScriptOutcome> {
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
