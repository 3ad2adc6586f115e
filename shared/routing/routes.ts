// The EventBridge routing, declared once: which event type goes to which function, on which bus,
// with which retry strategy and dead letter. The deployer creates these rules in the cloud and the
// local bus loads the same list.
import { EventSource, EventType } from '../contracts';

/**
 * The event buses: the changes bus, which only the Supabase publisher writes to (its RAM user may
 * put events there and nowhere else); the pipeline bus, where the functions and operators publish;
 * and the default bus of Alibaba Cloud service events. A publisher's keys therefore cannot start a
 * rebuild or fake a pipeline event: those routes live on the pipeline bus.
 */
export const BusName = { Changes: 'vector-sync-changes', VectorSync: 'vector-sync', Default: 'default' } as const;
export type BusName = (typeof BusName)[keyof typeof BusName];

/** FC 3.0 functions that are rule targets. */
export const FunctionName = {
  Validate: 'validate',
  Chunk: 'chunk',
  Dispatch: 'dispatch',
  CollectStats: 'collect-stats',
  Notify: 'notify',
} as const;
export type FunctionName = (typeof FunctionName)[keyof typeof FunctionName];

/** EventBridge push retry strategies (see the reference, section 4). */
export const PushRetryStrategy = {
  Backoff: 'BACKOFF_RETRY',
  ExponentialDecay: 'EXPONENTIAL_DECAY_RETRY',
} as const;
export type PushRetryStrategy = (typeof PushRetryStrategy)[keyof typeof PushRetryStrategy];

/** Kinds of dead-letter destinations the deployer can address. */
export const DeadLetterKind = { Mns: 'mns', EventBus: 'eventbus' } as const;
export type DeadLetterKind = (typeof DeadLetterKind)[keyof typeof DeadLetterKind];

/** Target type of an FC function in EventBridge. */
export const FC_TARGET_TYPE = 'acs.fc.function';

/** Rules are created enabled; the deployer keeps them so. */
export const RULE_STATUS_ENABLED = 'ENABLE';

/** Skip an event after its retries (to the dead letter) instead of blocking the rule. */
export const ERRORS_TOLERANCE_ALL = 'ALL';

/** One comparison inside a pattern value array (EventBridge event pattern syntax). */
export type PatternCondition =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly contains: string }
  | { readonly 'anything-but': string | number | readonly (string | number)[] | { readonly prefix: string } | { readonly suffix: string } }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly cidr: string }
  | { readonly exists: boolean };

/** An event pattern: keys ANDed, the conditions in one key's array ORed, nesting follows the event. */
export interface EventPattern {
  readonly [key: string]: readonly PatternCondition[] | EventPattern;
}

/** Where events a target could not take end up once retries are exhausted. */
export interface DeadLetterTarget {
  readonly kind: DeadLetterKind;
  /** Queue name (MNS) or bus name (EventBridge). */
  readonly name: string;
}

/** One rule of the routing declaration with its single FC 3.0 target. */
export interface Route {
  readonly bus: BusName;
  readonly rule: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly target: {
    readonly id: string;
    readonly functionName: FunctionName;
    readonly retryStrategy: PushRetryStrategy;
    readonly deadLetter: DeadLetterTarget;
  };
}

/** RunCommand names of the project start with this (the dispatcher names its commands so). */
export const COMMAND_NAME_PREFIX = 'vectorsync-';

/** The one dead-letter queue of the pipeline: an exhausted event lands here with its reason. */
export const DEAD_LETTER_QUEUE = { kind: DeadLetterKind.Mns, name: 'vector-sync-dead-letters' } as const;

/**
 * Every EventBridge rule of the project, declared once: the deployer creates these rules in the
 * cloud and the local bus loads the same list. Control messages between functions use the
 * exponential strategy (a day of retries rides out an outage); the ECS completion event uses the
 * short backoff because reconcile catches any chunk whose completion is lost.
 */
export const ROUTES = [
  {
    bus: BusName.Changes,
    rule: 'vectorsync-changes-to-validate',
    description: 'changes published by Supabase go to validate',
    pattern: { source: [EventSource.SupabaseEdge], type: [EventType.ChangesPublished] },
    target: { id: 'validate', functionName: FunctionName.Validate, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-manual-to-validate',
    description: 'manual run requests go to validate',
    pattern: { source: [EventSource.Manual], type: [EventType.RunRequested] },
    target: { id: 'validate', functionName: FunctionName.Validate, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-accepted-to-chunk',
    description: 'accepted runs go to chunk',
    pattern: { source: [EventSource.Pipeline], type: [EventType.RunAccepted] },
    target: { id: 'chunk', functionName: FunctionName.Chunk, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-chunk-to-dispatch',
    description: 'ready chunks go to dispatch',
    pattern: { source: [EventSource.Pipeline], type: [EventType.ChunkReady] },
    target: { id: 'dispatch', functionName: FunctionName.Dispatch, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-completed-to-notify',
    description: 'completed runs go to notify',
    pattern: { source: [EventSource.Pipeline], type: [EventType.RunCompleted] },
    target: { id: 'notify', functionName: FunctionName.Notify, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-digest-requests-to-notify',
    description: 'digests an operator asks to send (again) go to notify',
    pattern: { source: [EventSource.Manual], type: [EventType.DigestRequested] },
    target: { id: 'notify', functionName: FunctionName.Notify, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.VectorSync,
    rule: 'vectorsync-stats-to-collect-stats',
    description: 'requests to look at a run (reconcile, chunk, operator) go to collect-stats',
    pattern: { source: [EventSource.Pipeline], type: [EventType.StatsRequested] },
    target: { id: 'collect-stats', functionName: FunctionName.CollectStats, retryStrategy: PushRetryStrategy.ExponentialDecay, deadLetter: DEAD_LETTER_QUEUE },
  },
  {
    bus: BusName.Default,
    rule: 'vectorsync-task-completed-to-collect-stats',
    description: 'Cloud Assistant task completions go to collect-stats',
    // The default bus carries every Cloud Assistant completion of the account: keep only ours.
    pattern: { source: [EventSource.Ecs], type: [EventType.TaskCompleted], data: { commandName: [{ prefix: COMMAND_NAME_PREFIX }] } },
    target: { id: 'collect-stats', functionName: FunctionName.CollectStats, retryStrategy: PushRetryStrategy.Backoff, deadLetter: DEAD_LETTER_QUEUE },
  },
] as const satisfies readonly Route[];

/** Where a function takes events from: for each event type its route delivers, the bus. */
export function routesInto(functionName: string): ReadonlyMap<string, string> {
  const allowed = new Map<string, string>();
  for (const route of ROUTES as readonly Route[]) {
    if (route.target.functionName !== functionName) continue;
    const types = route.pattern.type;
    if (Array.isArray(types)) for (const type of types) if (typeof type === 'string') allowed.set(type, route.bus);
  }
  return allowed;
}
