import { describe, expect, it } from 'vitest';
import { ScheduleParseError, nextCronTime, parseSchedule } from '../../local/supabase';
import type { CronSchedule } from '../../local/supabase';

function cron(text: string): CronSchedule {
  const schedule = parseSchedule(text);
  if (schedule.kind !== 'cron') throw new Error(`${text} parsed as ${schedule.kind}`);
  return schedule;
}

describe('parseSchedule', () => {
  it.each([
    ['10 seconds', 10],
    ['1 second', 1],
    ['59 seconds', 59],
    [' 30  Seconds ', 30],
    ['15 minutes', 900],
    ['2 hours', 7200],
  ])('reads the interval %j as %i seconds', (text, seconds) => {
    // Act
    const schedule = parseSchedule(text);
    // Assess
    expect(schedule).toEqual({ kind: 'interval', text, seconds });
  });

  it.each([
    ['*/5 * * * *', [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]],
    ['* * * * *', Array.from({ length: 60 }, (_, minute) => minute)],
    ['7 * * * *', [7]],
    ['0,30 * * * *', [0, 30]],
    ['10-20/5 * * * *', [10, 15, 20]],
  ])('expands the minute field of %j', (text, minutes) => {
    // Act
    const schedule = cron(text);
    // Assess
    expect([...schedule.minutes].sort((a, b) => a - b)).toEqual(minutes);
    expect(schedule.hours.size).toBe(24);
  });

  it('folds day of week 7 into Sunday (0)', () => {
    // Act
    const schedule = cron('0 0 * * 5-7');
    // Assess
    expect([...schedule.daysOfWeek].sort()).toEqual([0, 5, 6]);
    expect(schedule.anyDayOfMonth).toBe(true);
    expect(schedule.anyDayOfWeek).toBe(false);
  });

  it.each([
    ['0 seconds', /1-59/u],
    ['60 seconds', /1-59/u],
    ['*/30 * * * * *', /5 cron fields/u],
    ['* * * *', /5 cron fields/u],
    ['61 * * * *', /minute '61' is outside 0-59/u],
    ['* 24 * * *', /hour/u],
    ['5/10 * * * *', /step without a range/u],
    ['*/0 * * * *', /step must be at least 1/u],
    ['0 0 * jan *', /bad month field/u],
    ['@hourly', /5 cron fields/u],
    ['every minute', /5 cron fields/u],
  ])('refuses %j', (text, reason) => {
    // Act
    const parse = () => parseSchedule(text);
    // Assess
    expect(parse).toThrow(ScheduleParseError);
    expect(parse).toThrow(reason);
  });
});

describe('nextCronTime', () => {
  it.each([
    ['*/5 * * * *', '2026-01-01T10:02:30Z', '2026-01-01T10:05:00Z'],
    ['*/5 * * * *', '2026-01-01T10:05:00Z', '2026-01-01T10:10:00Z'],
    ['* * * * *', '2026-01-01T10:02:59.999Z', '2026-01-01T10:03:00Z'],
    ['*/15 * * * *', '2026-01-01T23:50:00Z', '2026-01-02T00:00:00Z'],
    ['30 2 * * *', '2026-01-01T03:00:00Z', '2026-01-02T02:30:00Z'],
    ['0 0 1 * *', '2026-01-31T12:00:00Z', '2026-02-01T00:00:00Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    // Both day fields restricted: either matches (1st of the month or a Monday).
    ['0 12 1 * 1', '2026-06-02T00:00:00Z', '2026-06-08T12:00:00Z'],
  ])('schedules %j after %s at %s (UTC)', (text, after, expected) => {
    // Act
    const next = nextCronTime(cron(text), new Date(after));
    // Assess
    expect(next?.toISOString()).toBe(new Date(expected).toISOString());
  });

  it('answers undefined for an expression that matches no date', () => {
    // Act
    const next = nextCronTime(cron('0 0 31 2 *'), new Date('2026-01-01T00:00:00Z'));
    // Assess
    expect(next).toBeUndefined();
  });
});
