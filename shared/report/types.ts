import type { IndexHealth, ParkedEvent, RejectionGroup } from '../ledger';
import type { SearchResult } from '../contracts';
import type { Verification } from './quality';

/** How a run ended. */
export type RunOutcome = 'completed' | 'failed';

/** Time spent in one stage of the run. */
export interface StageTiming {
  readonly stage: string;
  readonly ms: number;
}

/** One chunk as the report shows it. */
export interface ChunkLine {
  readonly chunkNo: number;
  readonly state: string;
  readonly attempts: number;
  readonly instanceId?: string;
  readonly upserted: number;
  readonly deleted: number;
  readonly rejected: number;
  readonly durationMs?: number;
  readonly error?: string;
}

/** Everything one report e-mail says about a run. */
export interface RunReport {
  readonly runId: string;
  readonly op: string;
  /** `changes` (published by Supabase) or `manual`. */
  readonly trigger: string;
  readonly requestedBy?: string;
  readonly indexName: string;
  readonly outcome: RunOutcome;
  readonly error?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly counts: {
    readonly received: number;
    readonly upserted: number;
    readonly deleted: number;
    readonly unchanged: number;
    readonly rejected: number;
    readonly failed: number;
  };
  readonly rejections: readonly RejectionGroup[];
  /** Events about this run that a handler refused for good (vector_sync.parked_events). */
  readonly parked?: readonly ParkedEvent[];
  readonly stages: readonly StageTiming[];
  readonly chunks: readonly ChunkLine[];
  /** What the index holds: vectors (passages) and the documents they belong to (absent in reports archived before passages). */
  readonly index: { readonly totalVectors: number; readonly totalDocuments?: number; readonly estimatedBytes: number; readonly dimension: number; readonly metric: string };
  /** Vectors (passages) the run put and deleted; its counts are documents (absent before passages). */
  readonly vectors?: { readonly written: number; readonly deleted: number };
  /** The validation query: sampled vectors that came back as their own top-1. */
  readonly validation?: { readonly sampled: number; readonly matched: number };
  /** Verify runs: the drift found, whether it was healed, and recall@k over a sample. */
  readonly verification?: Verification;
  /** Search runs: each query with its top hits. */
  readonly search?: SearchResult;
  /** The logical index's health over the hour before the run finished (absent in reports archived before it existed). */
  readonly health?: IndexHealth;
  /** Presigned link to the archived copy in OSS. */
  readonly archiveUrl?: string;
}

/** A rendered report. */
export interface RenderedReport {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}
