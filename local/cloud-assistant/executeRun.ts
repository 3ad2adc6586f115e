import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ECS_SCRIPT_PATH, InstanceState } from './constants';
import { isoTime } from './isoTime';
import { renderScript } from './renderScript';
import { runScript } from './runScript';
import type { InstanceRun, InvocationRecord, RunStatus } from './types';

/** What running one instance's share of an invocation needs. */
export interface RunContext {
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
  if (context.state === InstanceState.Stopped) return never('Failed', 'InstanceNotRunning', 'the instance is not running');
  if (context.state === InstanceState.AgentOffline) return never('Failed', 'ClientNotRunning', 'the Cloud Assistant client is not running');
  if (record.spec.type !== 'RunShellScript') return never('Invalid', 'CommandNotApplicable', `${record.spec.type} does not run on a Linux instance`);
  const cwd = record.spec.workingDir ?? context.home;
  if (!existsSync(cwd)) return never('Failed', 'DirectoryNotExists', `the working directory ${cwd} does not exist`);
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
