import type { CronSchedule } from './types';

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
