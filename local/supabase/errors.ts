/** Base error of the local Supabase. */
export class LocalSupabaseError extends Error {
  override name = 'LocalSupabaseError';
  /** Whether trying again (e.g. after a port clash) may succeed. */
  readonly transient: boolean = false;
}

/** A migration could not be read or applied. */
export class MigrationError extends LocalSupabaseError {
  override name = 'MigrationError';
}

/** An edge function could not be found, crashed at boot or did not start listening in time. */
export class EdgeFunctionBootError extends LocalSupabaseError {
  override name = 'EdgeFunctionBootError';

  constructor(
    readonly functionName: string,
    message: string,
    /** The last lines the function wrote, oldest first. */
    readonly outputTail: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(outputTail.length === 0 ? message : `${message}\n--- last output of ${functionName} ---\n${outputTail.join('\n')}`, options);
  }
}

/** A schedule text is neither a pg_cron interval nor a 5-field cron expression this runner knows. */
export class ScheduleParseError extends LocalSupabaseError {
  override name = 'ScheduleParseError';

  constructor(readonly schedule: string, reason: string) {
    super(`invalid schedule '${schedule}': ${reason}`);
  }
}

/** The scheduler cannot read its jobs (missing table, bad row, unknown job). */
export class SchedulerError extends LocalSupabaseError {
  override name = 'SchedulerError';
}
