import { ScheduleParseError } from './errors';

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

/** A parsed pg_cron schedule. */
export type Schedule = IntervalSchedule | CronSchedule;

const INTERVAL = /^\s*(\d+)\s+(second|minute|hour)s?\s*$/iu;
const UNIT_SECONDS = { second: 1, minute: 60, hour: 3600 } as const;
const FIELDS = [
  { name: 'minute', low: 0, high: 59 },
  { name: 'hour', low: 0, high: 23 },
  { name: 'day of month', low: 1, high: 31 },
  { name: 'month', low: 1, high: 12 },
  { name: 'day of week', low: 0, high: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number], schedule: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/u.exec(part);
    if (!match) throw new ScheduleParseError(schedule, `bad ${field.name} field '${text}'`);
    const [, range, from, to, stepText] = match;
    // As in pg_cron (Vixie cron), a step needs a range: '5/10' is an error.
    if (stepText !== undefined && range !== '*' && to === undefined) throw new ScheduleParseError(schedule, `step without a range in '${part}'`);
    const start = range === '*' ? field.low : Number(from);
    const stop = range === '*' ? field.high : Number(to ?? from);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (start < field.low || stop > field.high || start > stop) throw new ScheduleParseError(schedule, `${field.name} '${part}' is outside ${field.low}-${field.high}`);
    if (step < 1) throw new ScheduleParseError(schedule, `step must be at least 1 in '${part}'`);
    for (let value = start; value <= stop; value += step) values.add(value);
  }
  return values;
}

function parseCron(text: string): CronSchedule {
  const fields = text.trim().split(/\s+/u);
  if (fields.length !== 5) throw new ScheduleParseError(text, `expected 5 cron fields or 'N seconds', got ${fields.length} field(s)`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((field, index) => parseField(fields[index] ?? '', field, text)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  return { kind: 'cron', text, minutes, hours, daysOfMonth, months, daysOfWeek, anyDayOfMonth: fields[2] === '*', anyDayOfWeek: fields[4] === '*' };
}

/**
 * Parses a pg_cron schedule: an interval (`'10 seconds'`, 1-59 as pg_cron allows; `'N minutes'` and
 * `'N hours'` are accepted locally only) or a 5-field cron expression with `*`, numbers, ranges,
 * lists and steps. Names (`mon`, `jan`) and `@hourly`-style macros are not supported.
 */
export function parseSchedule(text: string): Schedule {
  const interval = INTERVAL.exec(text);
  if (interval) {
    const count = Number(interval[1]);
    const unit = (interval[2] ?? 'second').toLowerCase() as keyof typeof UNIT_SECONDS;
    if (count < 1 || (unit === 'second' && count > 59)) throw new ScheduleParseError(text, 'an interval in seconds must be 1-59 (pg_cron); use a cron expression for longer periods');
    return { kind: 'interval', text, seconds: count * UNIT_SECONDS[unit] };
  }
  return parseCron(text);
}

/** Searching further than this means the expression never matches (e.g. '0 0 31 2 *'). */
const MAX_YEARS = 8;

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const dom = schedule.daysOfMonth.has(date.getUTCDate());
  const dow = schedule.daysOfWeek.has(date.getUTCDay());
  // Cron's rule: with both day fields restricted a day matches either; otherwise the restricted one.
  if (!schedule.anyDayOfMonth && !schedule.anyDayOfWeek) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `after` (UTC, whole minutes) the schedule matches; undefined if none. */
export function nextCronTime(schedule: CronSchedule, after: Date): Date | undefined {
  const time = new Date(after.getTime());
  time.setUTCSeconds(0, 0);
  time.setUTCMinutes(time.getUTCMinutes() + 1);
  const limit = after.getTime() + MAX_YEARS * 366 * 24 * 3600 * 1000;
  while (time.getTime() <= limit) {
    if (!schedule.months.has(time.getUTCMonth() + 1)) {
      time.setUTCMonth(time.getUTCMonth() + 1, 1);
      time.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(schedule, time)) {
      time.setUTCDate(time.getUTCDate() + 1);
      time.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(time.getUTCHours())) {
      time.setUTCHours(time.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(time.getUTCMinutes())) {
      time.setUTCMinutes(time.getUTCMinutes() + 1, 0, 0);
    } else {
      return time;
    }
  }
  return undefined;
}
