/** ISO-8601 UTC to the second, the form Cloud Assistant reports (`2023-12-14T07:39:48Z`). */
export function isoTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}
