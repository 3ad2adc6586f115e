import { formatCount, formatDuration } from '../../shared/report';

const DASH = '—';

/** How the dashboard prints values: times in UTC to the second, counts with separators, a dash for nothing. */
export const formatCell = {
  time(value: Date | string | null | undefined): string {
    if (value === null || value === undefined) return DASH;
    const date = typeof value === 'string' ? new Date(value) : value;
    return Number.isNaN(date.getTime()) ? DASH : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  },
  count(value: number | null | undefined): string {
    return value === null || value === undefined ? DASH : formatCount(value);
  },
  seconds(value: number | null | undefined): string {
    return value === null || value === undefined ? DASH : formatDuration(value * 1000);
  },
  text(value: string | null | undefined): string {
    return value === null || value === undefined || value === '' ? DASH : value;
  },
  /** Any value, for the caller's extra panel: strings as they are, the rest as JSON. */
  value(value: unknown): string {
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? String(value);
  },
} as const;
