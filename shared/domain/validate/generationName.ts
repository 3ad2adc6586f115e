import { createHash } from 'node:crypto';

/**
 * The physical index a rebuild loads: the logical name plus `r` and 10 hex digits of the event id,
 * so a redelivered rebuild event registers the same generation instead of a second one. OSS
 * index names take letters and digits only, at most 63 characters.
 */
export function generationName(logicalName: string, sourceEventId: string): string {
  const suffix = `r${createHash('sha256').update(sourceEventId).digest('hex').slice(0, 10)}`;
  return `${logicalName.slice(0, 63 - suffix.length)}${suffix}`;
}
