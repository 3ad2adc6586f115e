import type { LocalInvokeResult } from '../fc';

/** A key the emulator accepts; with `securityToken` it stands for STS credentials. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  /**
   * The buses this key may PutEvents to, as its RAM policy's `eventbridge:PutEvents` resources say;
   * absent: every bus (the policy allows `eventbus/*`).
   */
  readonly putEventsBuses?: readonly string[];
}

/** Anything that can be invoked like a LocalFunction. */
export interface InvokableFunction {
  invoke(event: Buffer): Promise<LocalInvokeResult>;
}

/** A target as stored, in the API's PascalCase. */
export interface StoredTarget {
  readonly Id: string;
  readonly Type: string;
  readonly Endpoint: string;
  readonly PushRetryStrategy?: string;
  readonly ErrorsTolerance?: string;
  readonly DeadLetterQueue?: { readonly Arn: string };
  readonly ParamList?: readonly { readonly ResourceKey: string; readonly Form: string; readonly Value?: string; readonly Template?: string }[];
}

/** A rule as stored. */
export interface StoredRule {
  readonly name: string;
  description: string;
  status: string;
  filterPattern: string;
  readonly targets: Map<string, StoredTarget>;
  readonly ctime: number;
  mtime: number;
}

/** A bus as stored. */
export interface StoredBus {
  readonly name: string;
  readonly description: string;
  readonly createTimestamp: number;
  readonly rules: Map<string, StoredRule>;
}

/** A CloudEvent as the bus delivers it (with the aliyun* attributes). */
export type DeliveredEvent = Readonly<Record<string, unknown>> & { readonly id: string };

/** An Alibaba Cloud service event as the service hands it to its bus. */
export interface ServiceEvent {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly aliyuneventbusname: string;
}

/** One delivery attempt. */
export interface DeliveryRecord {
  readonly eventId: string;
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly functionName: string;
  readonly attempt: number;
  readonly outcome: 'delivered' | 'failed';
  readonly error?: string;
  readonly at: string;
}

/** An event whose retries ran out; `deadLetterArn` is null when the target has no DLQ (discarded). */
export interface DeadLetterRecord {
  readonly event: DeliveredEvent;
  readonly bus: string;
  readonly rule: string;
  readonly targetId: string;
  readonly functionName: string;
  readonly deadLetterArn: string | null;
  readonly attempts: number;
  readonly lastError: string;
  readonly at: string;
}
