import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PermanentError } from '../../shared/errors';
import { FaultInjector } from '../faults';
import type { FaultRule } from '../faults';
import { Instance } from './Instance';
import type { InvocationFault, LineListener } from './Instance';
import type { FcErrorBody, LocalFunctionSpec, LocalInvokeOptions, LocalInvokeResult } from './types';

/** The function spec is unusable (bad handler string, missing code folder). */
export class LocalFunctionSpecError extends PermanentError {}

const DEFAULTS = { handler: 'index.handler', memory: 512, timeout: 3, region: 'cn-hangzhou', accountId: '1234567890123456', maxInstances: 4 };

/** Receives every line an instance prints, tagged with the function and request. */
export type OutputSink = (line: string, meta: { readonly functionName: string; readonly requestId: string }) => void;

function toBuffer(event: Buffer | string | object): Buffer {
  if (Buffer.isBuffer(event)) return event;
  if (typeof event === 'string') return Buffer.from(event);
  return Buffer.from(JSON.stringify(event));
}

/**
 * Runs a built FC 3.0 nodejs20 bundle as FC does: each instance is its own process that loads the
 * code once; the handler gets the event as a Buffer and an FC 3.0 context; the timeout kills the
 * instance; failures come back as FC's error body with `x-fc-error-type`.
 */
export class LocalFunction {
  readonly spec: Required<Omit<LocalFunctionSpec, 'credentials' | 'environment'>> & LocalFunctionSpec;
  /**
   * Fault knob, on operation `Invoke`: `drop` kills the instance mid-invocation (at a random moment
   * within `hangMs`, default 1 s, or as it answers); `hang` ends the invocation as timed out after
   * `hangMs` (default the function's timeout), whatever the handler did meanwhile; `status`
   * refuses the invocation before it reaches an instance (FC's own 429/5xx).
   */
  readonly faults = new FaultInjector();
  private readonly idle: Instance[] = [];
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(spec: LocalFunctionSpec, private readonly onOutput: OutputSink = () => undefined) {
    this.spec = { ...DEFAULTS, ...spec, codeDir: resolve(spec.codeDir) };
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z_$][\w$]*$/u.test(this.spec.handler)) {
      throw new LocalFunctionSpecError(`handler "${this.spec.handler}" must look like file.export`);
    }
    if (!existsSync(this.spec.codeDir)) {
      throw new LocalFunctionSpecError(`code folder ${this.spec.codeDir} of function ${spec.name} does not exist (run npm run build)`);
    }
  }

  /** Invokes the function synchronously (as `x-fc-invocation-type: Sync`). */
  async invoke(event: Buffer | string | object, options: LocalInvokeOptions = {}): Promise<LocalInvokeResult> {
    const requestId = options.requestId ?? randomUUID();
    const started = performance.now();
    const logs: string[] = [];
    const onLine = (line: string): void => {
      logs.push(line);
      this.onOutput(line, { functionName: this.spec.name, requestId });
    };
    await this.acquireSlot();
    try {
      const fault = this.faults.take('Invoke');
      if (fault?.kind === 'status') {
        return this.failure(requestId, started, { errorMessage: `fault injected: ${fault.status ?? 503} ${fault.code ?? 'ServiceUnavailable'}` }, logs);
      }
      const acquired = await this.acquireInstance(onLine);
      if ('initError' in acquired) return this.failure(requestId, started, acquired.initError, logs);
      const instance = acquired.instance;
      const outcome = await instance.run(
        { kind: 'invoke', requestId, event: toBuffer(event), context: this.contextFor(requestId) },
        this.spec.timeout,
        this.invocationFault(fault),
      );
      if (instance.isAlive) this.idle.push(instance);
      if (outcome.kind === 'error') return this.failure(requestId, started, outcome.error, logs);
      return { ok: true, requestId, durationMs: Math.round(performance.now() - started), body: Buffer.from(outcome.body), logs };
    } finally {
      this.releaseSlot();
    }
  }

  private invocationFault(fault: FaultRule | undefined): InvocationFault | undefined {
    if (fault?.kind === 'drop') return { kind: 'crash', afterMs: Math.random() * (fault.hangMs ?? 1000) };
    if (fault?.kind === 'hang') return { kind: 'timeout', afterMs: fault.hangMs ?? this.spec.timeout * 1000 };
    return undefined;
  }

  /** Stops every instance. */
  close(): void {
    for (const instance of this.idle.splice(0)) instance.kill();
  }

  private failure(requestId: string, started: number, error: FcErrorBody, logs: string[]): LocalInvokeResult {
    return {
      ok: false,
      requestId,
      durationMs: Math.round(performance.now() - started),
      errorHeader: 'UnhandledInvocationError',
      error,
      body: Buffer.from(JSON.stringify(error)),
      logs,
    };
  }

  private async acquireSlot(): Promise<void> {
    if (this.running < this.spec.maxInstances) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolveSlot) => this.waiting.push(resolveSlot));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private async acquireInstance(onLine: LineListener): Promise<{ instance: Instance } | { initError: FcErrorBody }> {
    for (let instance = this.idle.pop(); instance; instance = this.idle.pop()) {
      if (instance.isAlive) {
        instance.onLine = onLine;
        return { instance };
      }
    }
    const options = { codeDir: this.spec.codeDir, handler: this.spec.handler, memory: this.spec.memory, env: this.environment() };
    return Instance.start(options, onLine);
  }

  private contextFor(requestId: string): Record<string, unknown> {
    const credentials = this.spec.credentials ?? { accessKeyId: '', accessKeySecret: '', securityToken: '' };
    return {
      requestId,
      credentials,
      function: { name: this.spec.name, handler: this.spec.handler, memory: this.spec.memory, timeout: this.spec.timeout },
      region: this.spec.region,
      accountId: this.spec.accountId,
      service: { name: '', qualifier: 'LATEST', versionId: '' },
    };
  }

  private environment(): Record<string, string> {
    const credentials = this.spec.credentials;
    return {
      TZ: 'UTC',
      FC_FUNCTION_NAME: this.spec.name,
      FC_FUNCTION_HANDLER: this.spec.handler,
      FC_FUNCTION_MEMORY_SIZE: String(this.spec.memory),
      FC_REGION: this.spec.region,
      FC_ACCOUNT_ID: this.spec.accountId,
      FC_INSTANCE_ID: randomUUID(),
      ...(credentials
        ? {
            ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
            ALIBABA_CLOUD_SECURITY_TOKEN: credentials.securityToken,
          }
        : {}),
      ...this.spec.environment,
    };
  }
}
