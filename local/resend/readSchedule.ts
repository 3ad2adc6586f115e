import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';

const NATURAL = /^in\s+(\d+)\s*(second|sec|minute|min|hour|hr|day)s?$/iu;
const UNIT_MS: Readonly<Record<string, number>> = { second: 1e3, sec: 1e3, minute: 6e4, min: 6e4, hour: 3.6e6, hr: 3.6e6, day: 8.64e7 };

/** `scheduled_at` as an ISO time: ISO-8601 or the simple natural form `in 10 min`; at most 30 days ahead. */
export function readSchedule(value: unknown, now: number, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new ResendApiError('validation_error', `${where}\`scheduled_at\` must be an ISO 8601 date or a time such as "in 1 min".`);
  const natural = NATURAL.exec(value.trim());
  const at = natural ? now + Number(natural[1]) * (UNIT_MS[(natural[2] ?? '').toLowerCase()] ?? 0) : Date.parse(value);
  if (Number.isNaN(at)) throw new ResendApiError('validation_error', `${where}\`scheduled_at\` is not a date: ${value}`);
  if (at - now > ResendEmulatorLimits.maxScheduleAheadMs) throw new ResendApiError('validation_error', `${where}\`scheduled_at\` must be within 30 days.`);
  return new Date(at).toISOString();
}
