import { randomBytes } from 'node:crypto';
import { buildTaskCompletedEvent } from './buildTaskCompletedEvent';
import type { TaskCompletedCloudEvent } from './buildTaskCompletedEvent';
import { CloudAssistantApiError } from './errors';
import { executeRun, killGroup } from './executeRun';
import type { InstanceState, RunEnd } from './executeRun';
import { FINAL_RUN_STATUSES, isoTime } from './invocations';
import type { InstanceRun, InvocationRecord } from './invocations';
import type { RunCommandSpec } from './requests';

/** A configured instance with its home folder resolved. */
export interface RunnerInstance {
  readonly state: InstanceState;
  readonly home: string;
}

/** Settings of the runner. */
export interface CommandRunnerOptions {
  readonly instances: ReadonlyMap<string, RunnerInstance>;
  readonly accountId: string;
  readonly region: string;
  readonly scriptDir: string;
  readonly timeScale: number;
  readonly env: Readonly<Record<string, string>>;
  readonly onTaskCompleted?: (event: TaskCompletedCloudEvent) => unknown;
}

const FINAL: ReadonlySet<string> = FINAL_RUN_STATUSES;

/** A script running now: the process group of one instance's run of an invocation. */
export interface RunningScript {
  readonly invokeId: string;
  readonly instanceId: string;
  readonly pgid: number;
}

function newId(prefix: string): string {
  return `${prefix}-lc${randomBytes(8).toString('hex')}`;
}

/**
 * Keeps the invocations and runs them: ClientToken idempotency, one bash run per instance moving
 * Pending -> Running -> Success | Failed | Timeout | Error (Aborted or Invalid when it cannot start;
 * Terminated or Cancelled on shutdown), a TaskCompleted
 * event per finished run, and a promise per invocation that resolves when all runs are final.
 */
export class CommandRunner {
  /** Errors thrown by `onTaskCompleted`, kept so tests can see them. */
  readonly deliveryErrors: unknown[] = [];
  private readonly records = new Map<string, InvocationRecord>();
  private readonly tokens = new Map<string, { readonly fingerprint: string; readonly invokeId: string }>();
  private readonly done = new Map<string, { readonly promise: Promise<InvocationRecord>; readonly resolve: (record: InvocationRecord) => void }>();
  private readonly groups = new Map<number, RunningScript>();
  private readonly instances: Map<string, RunnerInstance>;
  private closed = false;

  constructor(private readonly options: CommandRunnerOptions) {
    this.instances = new Map(options.instances);
  }

  /** Fault knob: the instance's state from now on (e.g. its agent goes offline and comes back). */
  setInstanceState(instanceId: string, state: InstanceState): void {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new CloudAssistantApiError(404, 'InvalidInstance.NotFound', `the instance does not exist: ${instanceId}`);
    this.instances.set(instanceId, { ...instance, state });
  }

  /** Fault knob: the scripts running now, to pick one to kill. */
  runningScripts(): RunningScript[] {
    return [...this.groups.values()];
  }

  /**
   * Fault knob: kills a running script's whole process group, as the OOM killer or a reboot would;
   * the run ends as the script's exit says (137 for the worker `exec`ed by run-chunk.sh).
   */
  killScript(pgid: number): boolean {
    if (!this.groups.has(pgid)) return false;
    killGroup(pgid);
    return true;
  }

  /** Records an invocation and starts its runs; a repeated ClientToken returns the first one. */
  start(spec: RunCommandSpec): InvocationRecord {
    if (spec.clientToken !== undefined) {
      const earlier = this.tokens.get(spec.clientToken);
      if (earlier && earlier.fingerprint !== spec.fingerprint) {
        throw new CloudAssistantApiError(403, 'IdempotentParameterMismatch', 'the ClientToken was used with different parameters');
      }
      const record = earlier && this.records.get(earlier.invokeId);
      if (record) return record;
    }
    const unknown = spec.instanceIds.filter((id) => !this.instances.has(id));
    if (unknown.length > 0) throw new CloudAssistantApiError(404, 'InvalidInstance.NotFound', `the instances do not exist: ${unknown.join(', ')}`);
    const now = isoTime();
    const runs: InstanceRun[] = spec.instanceIds.map((instanceId) => ({
      instanceId, status: 'Pending', exitCode: undefined, errorCode: '', errorInfo: '', output: Buffer.alloc(0), dropped: 0,
      creationTime: now, startTime: undefined, finishTime: undefined, stopTime: undefined, updateTime: now,
    }));
    const record: InvocationRecord = { invokeId: newId('t'), commandId: newId('c'), spec, creationTime: now, runs };
    this.records.set(record.invokeId, record);
    if (spec.clientToken !== undefined) this.tokens.set(spec.clientToken, { fingerprint: spec.fingerprint, invokeId: record.invokeId });
    let resolve: (value: InvocationRecord) => void = () => undefined;
    const promise = new Promise<InvocationRecord>((done) => (resolve = done));
    this.done.set(record.invokeId, { promise, resolve });
    for (const run of runs) setImmediate(() => void this.execute(record, run));
    return record;
  }

  /** Every invocation, newest first. */
  list(): InvocationRecord[] {
    return [...this.records.values()].reverse();
  }

  /** Resolves with the invocation once every instance's run is final. */
  waitFor(invokeId: string): Promise<InvocationRecord> {
    const entry = this.done.get(invokeId);
    if (!entry) return Promise.reject(new CloudAssistantApiError(404, 'InvalidInvokeId.NotFound', `no invocation ${invokeId}`));
    return entry.promise;
  }

  /** Kills every running script and marks unfinished runs Stopped. */
  close(): void {
    this.closed = true;
    for (const pgid of this.groups.keys()) killGroup(pgid);
    for (const record of this.records.values()) {
      for (const run of record.runs) {
        if (FINAL.has(run.status)) continue;
        // Killed while running is Terminated; never started is Cancelled.
        const end: RunEnd = run.status === 'Running'
          ? { status: 'Terminated', errorCode: 'ExecutionInterrupted', errorInfo: 'the emulator stopped while the command ran' }
          : { status: 'Cancelled', errorCode: 'ExecutionInterrupted', errorInfo: 'the emulator stopped before the command started' };
        this.finish(record, run, end);
      }
    }
  }

  private async execute(record: InvocationRecord, run: InstanceRun): Promise<void> {
    if (this.closed || FINAL.has(run.status)) return;
    const instance = this.instances.get(run.instanceId);
    if (!instance) return;
    let end: RunEnd;
    try {
      end = await executeRun(record, run, {
        ...this.options,
        state: instance.state,
        home: instance.home,
        trackProcess: (pgid, alive) => void (alive ? this.groups.set(pgid, { invokeId: record.invokeId, instanceId: run.instanceId, pgid }) : this.groups.delete(pgid)),
      });
    } catch (error) {
      // The agent could not run it (an exception, not the script's exit code): Error, as the cloud reports it.
      end = { status: 'Error', errorCode: 'ExecutionException', errorInfo: error instanceof Error ? error.message : String(error) };
    }
    if (!FINAL.has(run.status)) this.finish(record, run, end);
  }

  private finish(record: InvocationRecord, run: InstanceRun, end: RunEnd): void {
    const now = isoTime();
    Object.assign(run, { ...end, finishTime: now, updateTime: now, ...(end.status === 'Stopped' || end.status === 'Terminated' ? { stopTime: now } : {}) });
    const event = buildTaskCompletedEvent(record, run, this.options);
    if (this.options.onTaskCompleted) {
      Promise.resolve()
        .then(() => this.options.onTaskCompleted?.(event))
        .catch((error: unknown) => this.deliveryErrors.push(error));
    }
    if (record.runs.every((candidate) => FINAL.has(candidate.status))) this.done.get(record.invokeId)?.resolve(record);
  }
}
