/** One line an edge function wrote. */
export interface EdgeLogLine {
  readonly function: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** Where edge function output goes; one call per line. */
export type EdgeLogSink = (entry: EdgeLogLine) => void;

/** A pg_cron interval schedule: `'[1-59] seconds'` (and, locally, `'N minutes'`/`'N hours'`). */
export interface IntervalSchedule {
  readonly kind: 'interval';
  readonly text: string;
  readonly seconds: number;
}

/** A 5-field cron schedule, expanded to the values each field allows (evaluated in UTC, as pg_cron's default). */
export interface CronSchedule {
  readonly kind: 'cron';
  readonly text: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0-6, Sunday is 0 (7 is folded into 0). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** Whether day-of-month / day-of-week were `*` (cron ORs the two when both are restricted). */
  readonly anyDayOfMonth: boolean;
  readonly anyDayOfWeek: boolean;
}

export type Schedule = IntervalSchedule | CronSchedule;

/** How the scheduler talks to the database: rows of a query, or a command (may hold several statements). */
export interface SqlRunner {
  query(text: string): Promise<readonly Record<string, unknown>[]>;
  execute(text: string): Promise<void>;
}

/** One row of `vector_sync.schedules`, parsed. */
export interface ScheduledJob {
  readonly name: string;
  readonly schedule: Schedule;
  /** Exactly one of functionName / command is set. */
  readonly functionName: string | null;
  readonly command: string | null;
}

/** The outcome of one run of a job. */
export interface JobRun {
  readonly job: string;
  readonly status: 'succeeded' | 'failed' | 'skipped';
  readonly startedAt: Date;
  readonly durationMs: number;
  /** HTTP status of a function job. */
  readonly httpStatus?: number;
  readonly error?: string;
}
