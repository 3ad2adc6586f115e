import { randomUUID } from 'node:crypto';
import { isoTime } from './invocations';
import type { InstanceRun, InvocationRecord } from './invocations';

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

/** Where the event says it comes from. */
export interface EventOrigin {
  readonly accountId: string;
  readonly region: string;
}

/**
 * `ecs:CloudAssistant:TaskCompleted` for one instance's finished run, as a CloudEvent on the
 * default bus. `exitCode` is a string, as documented; a run that never started reports `-1`.
 */
export function buildTaskCompletedEvent(record: InvocationRecord, run: InstanceRun, origin: EventOrigin): TaskCompletedCloudEvent {
  const now = isoTime();
  return {
    id: randomUUID(),
    source: 'acs.ecs',
    specversion: '1.0',
    type: 'ecs:CloudAssistant:TaskCompleted',
    subject: `acs.ecs:${origin.region}:${origin.accountId}:${run.instanceId}`,
    time: run.finishTime ?? now,
    datacontenttype: 'application/json;charset=utf-8',
    aliyunaccountid: origin.accountId,
    aliyunpublishtime: now,
    aliyuneventbusname: 'default',
    aliyunregionid: origin.region,
    data: {
      commandId: record.commandId,
      commandName: record.spec.name,
      instanceId: run.instanceId,
      invokeId: record.invokeId,
      exitCode: String(run.exitCode ?? -1),
      invocationStatus: run.status,
      startTime: run.startTime ?? run.creationTime,
      finishTime: run.finishTime ?? now,
    },
  };
}
