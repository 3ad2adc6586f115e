import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { FcErrorBody, HostReply, HostRequest } from './types';

const hostSource = fileURLToPath(new URL('./host.ts', import.meta.url));
let hostBuilt: string | undefined;

/** The instance host compiled once to plain CommonJS, so a cold start costs a bare `node`. */
function hostScript(): string {
  if (hostBuilt && existsSync(hostBuilt)) return hostBuilt;
  const hash = createHash('sha256').update(readFileSync(hostSource)).digest('hex').slice(0, 12);
  const outfile = join(tmpdir(), `oss-vector-sync-fc-host-${hash}.cjs`);
  if (!existsSync(outfile)) {
    // Build beside and rename: parallel test workers may race to create the same file.
    const partial = `${outfile}.${process.pid}.partial`;
    buildSync({ entryPoints: [hostSource], outfile: partial, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    renameSync(partial, outfile);
  }
  hostBuilt = outfile;
  return outfile;
}

/** How one run on an instance ended. */
export type RunOutcome =
  | { readonly kind: 'result'; readonly body: Uint8Array }
  | { readonly kind: 'error'; readonly error: FcErrorBody; readonly fatal: boolean };

export interface InstanceOptions {
  readonly codeDir: string;
  readonly handler: string;
  readonly memory: number;
  readonly env: Record<string, string>;
}

/** A fault one invocation suffers (see `Instance.run`). */
export interface InvocationFault {
  readonly kind: 'crash' | 'timeout';
  readonly afterMs: number;
}

/** Receives each line the instance prints. */
export type LineListener = (line: string) => void;

/** One FC instance: a Node process that keeps the loaded bundle between invocations. */
export class Instance {
  private exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  private alive = true;
  /** Where printed lines go; the runtime points it at the current invocation. */
  onLine: LineListener = () => undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('exit', (code, signal) => {
      this.alive = false;
      for (const listener of this.exitListeners) listener(code, signal);
    });
  }

  /** Starts an instance and waits until the bundle is loaded (the cold start). */
  static async start(
    options: InstanceOptions,
    onLine: LineListener,
  ): Promise<{ instance: Instance } | { initError: FcErrorBody }> {
    const child = fork(hostScript(), [options.codeDir, options.handler], {
      cwd: options.codeDir,
      env: options.env,
      execArgv: [`--max-old-space-size=${options.memory}`],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const instance = new Instance(child);
    instance.onLine = onLine;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line !== '') instance.onLine(line);
      });
    }
    const first = await new Promise<HostReply | { kind: 'exit'; code: number | null }>((resolve) => {
      child.once('message', (reply: HostReply) => resolve(reply));
      instance.exitListeners.push((code) => resolve({ kind: 'exit', code }));
    });
    instance.exitListeners = [];
    if (first.kind === 'ready') return { instance };
    instance.kill();
    if (first.kind === 'init-error') return { initError: first.error };
    return { initError: { errorMessage: `Process exited unexpectedly while loading the function (exit code ${String((first as { code: number | null }).code)})` } };
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * Runs one invocation; a timeout or a dying process kills the instance. `fault` (a chaos knob)
   * makes this invocation fail as an instance can in the cloud: `crash` kills the process after
   * `afterMs` (or as it answers, which then never arrives); `timeout` withholds the answer and ends
   * the invocation as timed out after `afterMs`, whatever the handler did meanwhile.
   */
  run(request: HostRequest, timeoutSeconds: number, fault?: InvocationFault): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      const finish = (outcome: RunOutcome): void => {
        clearTimeout(timer);
        clearTimeout(crashTimer);
        this.child.off('message', onMessage);
        this.exitListeners = [];
        if (outcome.kind === 'error' && outcome.fatal) this.kill();
        resolve(outcome);
      };
      const onMessage = (reply: HostReply): void => {
        if (reply.kind !== 'result' && reply.kind !== 'error') return;
        if (reply.requestId !== request.requestId || fault?.kind === 'timeout') return;
        // A crash that had not struck yet strikes now: the answer dies with the process.
        if (fault?.kind === 'crash') this.kill();
        else if (reply.kind === 'result') finish({ kind: 'result', body: reply.body });
        else finish({ kind: 'error', error: reply.error, fatal: false });
      };
      const timer = setTimeout(() => {
        finish({ kind: 'error', fatal: true, error: { errorMessage: `Function timed out after ${timeoutSeconds} seconds` } });
      }, fault?.kind === 'timeout' ? fault.afterMs : timeoutSeconds * 1000);
      const crashTimer = fault?.kind === 'crash' ? setTimeout(() => this.kill(), fault.afterMs) : undefined;
      this.exitListeners.push((code, signal) => {
        const how = signal ? `signal ${signal}` : `exit code ${String(code)}`;
        finish({ kind: 'error', fatal: true, error: { errorMessage: `Process exited unexpectedly before completing request (${how})` } });
      });
      this.child.on('message', onMessage);
      this.child.send(request);
    });
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
    this.alive = false;
  }
}
