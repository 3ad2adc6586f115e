import type { BusName, DeadLetterKind, FunctionName, PushRetryStrategy } from './constants';

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
