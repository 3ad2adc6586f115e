import type { InstanceState } from './constants';

/** A local "ECS instance": scripts for it run in bash on this machine. */
export interface LocalInstance {
  readonly instanceId: string;
  readonly state: InstanceState;
  /** The instance's root home: HOME and the default working directory; default a temporary folder. */
  readonly workDir?: string;
}

/** A key the emulator accepts; with `securityToken` it stands for STS credentials. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** A RunCommand request after its parameters were checked. */
export interface RunCommandSpec {
  readonly type: string;
  /** The script as sent (decoded from Base64 when ContentEncoding was Base64). */
  readonly content: string;
  readonly instanceIds: readonly string[];
  readonly enableParameter: boolean;
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly name: string;
  readonly description: string;
  readonly workingDir: string | undefined;
  readonly clientToken: string | undefined;
  /** The request's API parameters, for the idempotency comparison. */
  readonly fingerprint: string;
}

/** Per-instance InvocationStatus values the emulator moves through. */
export type RunStatus = 'Pending' | 'Running' | 'Success' | 'Failed' | 'Timeout' | 'Invalid' | 'Stopped';

/** One instance's run of an invocation. */
export interface InstanceRun {
  readonly instanceId: string;
  status: RunStatus;
  exitCode: number | undefined;
  errorCode: string;
  errorInfo: string;
  output: Buffer;
  dropped: number;
  readonly creationTime: string;
  startTime: string | undefined;
  finishTime: string | undefined;
  stopTime: string | undefined;
  updateTime: string;
}

/** One RunCommand call and its runs. */
export interface InvocationRecord {
  readonly invokeId: string;
  readonly commandId: string;
  readonly spec: RunCommandSpec;
  readonly creationTime: string;
  readonly runs: readonly InstanceRun[];
}

/** `ecs:CloudAssistant:TaskCompleted` as the emulator hands it to `onTaskCompleted`. */
export interface TaskCompletedCloudEvent {
  readonly id: string;
  readonly source: 'acs.ecs';
  readonly specversion: '1.0';
  readonly type: 'ecs:CloudAssistant:TaskCompleted';
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: string;
  readonly aliyunaccountid: string;
  readonly aliyunpublishtime: string;
  readonly aliyuneventbusname: string;
  readonly aliyunregionid: string;
  readonly data: {
    readonly commandId: string;
    readonly commandName: string;
    readonly instanceId: string;
    readonly invokeId: string;
    readonly exitCode: string;
    readonly invocationStatus: string;
    readonly startTime: string;
    readonly finishTime: string;
  };
}
