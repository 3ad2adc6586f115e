import type { VectorSyncError } from '../../errors';

/** Where and as whom to talk to EventBridge: the only things that differ between cloud and local. */
export interface EventBridgeClientConfig {
  /** `<uid>.eventbridge.<region>.aliyuncs.com` (https), or a local `host:port` / `http://host:port`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, e.g. from the FC context. */
  readonly securityToken?: string;
  readonly regionId?: string;
  readonly readTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

/** An event to publish; the publisher fills in id, time and the bus. */
export interface PublishableEvent {
  /** Stable id, e.g. derived from the source record, so a resend is recognisably the same event. */
  readonly id?: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time?: string;
  readonly data: unknown;
}

/** What happened to one event; callers acknowledge only `accepted` ones. */
export type PublishOutcome =
  | { readonly id: string; readonly status: 'accepted'; readonly traceId?: string; readonly attempts: number }
  | {
      readonly id: string;
      readonly status: 'failed';
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly error: VectorSyncError;
      readonly attempts: number;
    };

/** The outcome of a publish call, in the order the events were given. */
export interface PublishResult {
  readonly outcomes: readonly PublishOutcome[];
  readonly acceptedIds: readonly string[];
  readonly failed: readonly Extract<PublishOutcome, { status: 'failed' }>[];
}
