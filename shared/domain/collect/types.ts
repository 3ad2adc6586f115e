import type { Sql } from 'postgres';
import type { EventPublisher } from '../../clients/eventbridge';
import type { Ledger } from '../../ledger';
import type { Logger } from '../../logging';

/** What the run-closing steps need, passed in explicitly so tests can call them directly. */
export interface PipelineDeps {
  readonly ledger: Ledger;
  readonly sql: Sql;
  readonly publisher: Pick<EventPublisher, 'publish'>;
  readonly log: Logger;
  /** Attempts a chunk gets before it fails for good (MAX_CHUNK_ATTEMPTS). */
  readonly maxChunkAttempts: number;
}

/** How a chunk's Cloud Assistant invocation ended on its instance. */
export interface AttemptOutcome {
  readonly commandId: string;
  /** The final per-instance InvocationStatus, e.g. `Success`, `Failed`, `Timeout`. */
  readonly status: string;
  readonly exitCode?: number | undefined;
  readonly errorCode?: string | undefined;
}

/** What happened to a chunk attempt that was looked at. */
export type SettleAction =
  /** The worker wrote the result: nothing to do for the chunk. */
  | 'already-final'
  /** The outcome belongs to an older attempt: the current one is left alone. */
  | 'stale'
  /** Back to ready; chunk.ready was published again. */
  | 'requeued'
  /** Its attempts are used up: the chunk failed. */
  | 'failed';
