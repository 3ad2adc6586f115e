import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { LocalSupabaseDefaults } from './constants';
import { EdgeFunctionBootError } from './errors';

/** One line an edge function wrote. */
export interface EdgeLogLine {
  readonly function: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** Where edge function output goes; one call per line. */
export type EdgeLogSink = (entry: EdgeLogLine) => void;

/** How one edge function is run. */
export interface EdgeFunctionProcessOptions {
  readonly name: string;
  /** Absolute path of its `index.ts`. */
  readonly entry: string;
  readonly cwd: string;
  readonly denoBinary: string;
  /** The whole environment of the process: nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** The port `Deno.serve` is made to bind through `DENO_SERVE_ADDRESS`. */
  readonly port: number;
  readonly log: EdgeLogSink;
  readonly bootTimeoutMs: number;
}

const TAIL_LINES = 30;
const PROBE_INTERVAL_MS = 100;
const LISTENING = /Listening on https?:\/\/\S+?:(\d+)\//u;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LocalSupabaseDefaults.host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One edge function served by its own `deno run` process on 127.0.0.1. */
export class EdgeFunctionProcess {
  readonly name: string;
  readonly port: number;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly exited: Promise<void>;
  private exitCode: number | null | undefined;

  private constructor(private readonly options: EdgeFunctionProcessOptions) {
    this.name = options.name;
    this.port = options.port;
    // The function's deno.json (import map) is found beside its entry. `--node-modules-dir=manual`
    // resolves its `npm:` pins from the project's node_modules rather than downloading them.
    const args = ['run', '--no-prompt', '--no-lock', '--node-modules-dir=manual', '--allow-net', '--allow-env', '--allow-read', options.entry];
    this.child = spawn(options.denoBinary, args, {
      cwd: options.cwd,
      env: { ...options.env, DENO_SERVE_ADDRESS: `tcp:${LocalSupabaseDefaults.host}:${options.port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') so that the last lines of a crash are in the tail when this resolves.
      this.child.once('close', (code, signal) => {
        this.exitCode = code ?? (signal === null ? null : 128);
        resolve();
      });
      this.child.once('error', (error) => {
        this.remember(`spawn failed: ${error.message}`);
        this.exitCode = -1;
        resolve();
      });
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.child[stream];
      if (!source) continue;
      createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => {
        this.remember(line);
        options.log({ function: options.name, stream, line });
      });
    }
  }

  /** Spawns the function and resolves once it accepts connections; kills it if it does not. */
  static async start(options: EdgeFunctionProcessOptions): Promise<EdgeFunctionProcess> {
    const fn = new EdgeFunctionProcess(options);
    try {
      await fn.waitListening();
    } catch (error) {
      await fn.stop();
      throw error;
    }
    return fn;
  }

  /** Whether the process is still alive. */
  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines the function wrote, oldest first. */
  get outputTail(): readonly string[] {
    return [...this.tail];
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  async stop(graceMs: number = LocalSupabaseDefaults.stopGraceMs): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.running) this.child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private waitListening(): Promise<void> {
    // Deno prints "Listening on http://127.0.0.1:<port>/" unless the code passes its own onListen;
    // a TCP probe covers that case too.
    const { name, bootTimeoutMs } = this.options;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let probe: NodeJS.Timeout | undefined;
      const watch = (chunk: Buffer): void => {
        if (Number(LISTENING.exec(chunk.toString('utf8'))?.[1]) === this.port) finish();
      };
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(probe);
        this.child.stdout?.off('data', watch);
        this.child.stderr?.off('data', watch);
        if (error) reject(error);
        else resolve();
      };
      const deadline = setTimeout(() => finish(new EdgeFunctionBootError(name, `edge function ${name} did not listen on port ${this.port} within ${bootTimeoutMs} ms`, this.outputTail)), bootTimeoutMs);
      void this.exited.then(() => finish(new EdgeFunctionBootError(name, `edge function ${name} exited at boot with code ${String(this.exitCode)}`, this.outputTail)));
      this.child.stdout?.on('data', watch);
      this.child.stderr?.on('data', watch);
      const poll = (): void => {
        void canConnect(this.port).then((open) => {
          if (open && this.running) finish();
          else if (!settled) probe = setTimeout(poll, PROBE_INTERVAL_MS);
        });
      };
      probe = setTimeout(poll, PROBE_INTERVAL_MS);
    });
  }
}
