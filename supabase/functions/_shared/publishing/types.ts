/** A `vectorsync.changes.published` CloudEvent as it goes on the wire. */
export interface ChangeEventWire {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly specversion: string;
  readonly datacontenttype: string;
  readonly subject?: string;
  readonly time: string;
  readonly data: { readonly batchId: string; readonly index: string; readonly changes: readonly { readonly id: string }[] };
}

/** An event with the queue messages it settles. */
export interface PackedChange {
  readonly event: ChangeEventWire;
  readonly msgIds: readonly bigint[];
  /** Size of the event as JSON, for the per-request byte limit. */
  readonly bytes: number;
}

/** What EventBridge answered for one event of a call. */
export interface EntryResult {
  readonly eventId: string;
  /** Empty when accepted. */
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Publishes events to the bus; throws PublishCallError when the whole call failed. */
export interface EventSender {
  send(events: readonly ChangeEventWire[]): Promise<EntryResult[]>;
}

/** What one publish-changes call did. Messages for read/retried/parked, ids for published. */
export interface PublishCounts {
  read: number;
  published: number;
  events: number;
  retried: number;
  parked: number;
}
