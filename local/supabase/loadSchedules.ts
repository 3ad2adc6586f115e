import * as z from 'zod';
import { SchedulerError } from './errors';
import { parseSchedule } from './parseSchedule';
import type { ScheduledJob, SqlRunner } from './types';

/** The table that lists the periodic jobs (pg_cron on Supabase, the local scheduler here). */
export const SCHEDULES_TABLE = 'vector_sync.schedules';

const ScheduleRowSchema = z
  .object({
    name: z.string().min(1),
    schedule: z.string().min(1),
    function_name: z.string().min(1).nullable(),
    command: z.string().min(1).nullable(),
  })
  .refine((row) => (row.function_name === null) !== (row.command === null), { message: 'exactly one of function_name and command must be set' });

/** Reads and parses every row of `vector_sync.schedules`; fails clearly when the table is missing or a row is bad. */
export async function loadSchedules(sql: SqlRunner): Promise<ScheduledJob[]> {
  const [found] = await sql.query(`select to_regclass('${SCHEDULES_TABLE}')::text as name`);
  if (!found || found.name === null) throw new SchedulerError(`${SCHEDULES_TABLE} does not exist: apply the migration that creates it before starting the scheduler`);
  const rows = await sql.query(`select name, schedule, function_name, command from ${SCHEDULES_TABLE} order by name`);
  return rows.map((raw) => {
    const parsed = ScheduleRowSchema.safeParse(raw);
    if (!parsed.success) throw new SchedulerError(`bad row in ${SCHEDULES_TABLE} (${JSON.stringify(raw)}): ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
    const row = parsed.data;
    try {
      return { name: row.name, schedule: parseSchedule(row.schedule), functionName: row.function_name, command: row.command };
    } catch (error) {
      throw new SchedulerError(`job ${row.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
}
