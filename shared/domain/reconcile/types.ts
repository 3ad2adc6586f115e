import type { CloudAssistantClient } from '../../clients/cloud-assistant';
import type { PipelineDeps } from '../collect';

/** What a reconcile tick needs besides the pipeline's dependencies. */
export interface ReconcileDeps extends PipelineDeps {
  readonly cloud: Pick<CloudAssistantClient, 'describeInvocationResults'>;
  readonly settings: {
    /** The RunCommand Timeout the dispatcher sets. */
    readonly runCommandTimeoutSeconds: number;
    /** Added to the timeout before a chunk counts as silent; also the grace of a completion claim. */
    readonly graceSeconds: number;
    /** How long a chunk may sit in ready before its chunk.ready is published again. */
    readonly readyStaleSeconds: number;
  };
}

/** One thing a tick could not do; the next tick tries again. */
export interface ReconcileProblem {
  readonly step: 'silent' | 'ready' | 'completion' | 'nudge';
  readonly runId?: string;
  readonly chunkNo?: number;
  readonly code: string;
  readonly message: string;
}

/** The JSON summary a tick answers with. */
export interface ReconcileSummary {
  readonly triggerTime: string;
  readonly silent: { checked: number; requeued: number; failed: number; finished: number; stale: number };
  readonly readyResent: number;
  readonly completionsPublished: number;
  readonly nudged: number;
  readonly problems: number;
  readonly errors: ReconcileProblem[];
}
