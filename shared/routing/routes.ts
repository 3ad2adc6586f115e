import { EventSource, EventType } from '../contracts';
import { BusName, DeadLetterKind, FunctionName, PushRetryStrategy } from './constants';
import type { Route } from './types';

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
    bus: BusName.VectorSync,
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
