// What the local Resend's outbox holds, sorted by kind: each report e-mail carries an idempotency
// key that names what it reports (`run-report/<run>`, `digest/<index>/<window start>[/…]`).
import type { OutboxEntry } from '../resend';

/** E-mails in the outbox by kind, and digests per index and window. */
export interface MailCounts {
  readonly total: number;
  readonly runReports: number;
  readonly digests: number;
  readonly other: number;
  /** `<index>/<window start>` -> digests sent for it (by hand re-sends included). */
  readonly digestsPerWindow: ReadonlyMap<string, number>;
  /** Run ids whose report was e-mailed. */
  readonly reportedRuns: readonly string[];
}

/** Sorts the outbox's messages by the idempotency key their sender gave them. */
export function mailCounts(entries: readonly Pick<OutboxEntry, 'metadata'>[]): MailCounts {
  const digestsPerWindow = new Map<string, number>();
  const reportedRuns: string[] = [];
  let digests = 0;
  let other = 0;
  for (const entry of entries) {
    const key = entry.metadata.idempotency_key ?? '';
    const [kind, first, second] = key.split('/');
    if (kind === 'run-report' && first) reportedRuns.push(first);
    else if (kind === 'digest' && first && second) {
      digests += 1;
      const window = `${first}/${second}`;
      digestsPerWindow.set(window, (digestsPerWindow.get(window) ?? 0) + 1);
    } else other += 1;
  }
  return { total: entries.length, runReports: reportedRuns.length, digests, other, digestsPerWindow, reportedRuns };
}
