/**
 * Where a run's report is archived: `<prefix><yyyy>/<mm>/<runId>.<ext>`, by the month the run
 * finished (UTC), so a redelivery writes the same key.
 */
export function reportArchiveKey(prefix: string, finishedAt: string, runId: string, ext: 'html' | 'json'): string {
  const date = new Date(finishedAt);
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}${yyyy}/${mm}/${runId}.${ext}`;
}
