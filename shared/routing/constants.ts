/** The event buses: the custom bus the pipeline publishes on, and the default bus of service events. */
export const BusName = { VectorSync: 'vector-sync', Default: 'default' } as const;
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
