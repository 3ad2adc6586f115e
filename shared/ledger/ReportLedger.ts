// The ledger's reporting side: what the run reports, the digests and the dashboard read (index
// health, per-document status) and how a finished run's report is settled (sent, held for a
// digest, archived) and its digest sent once. Ledger extends it with the runs, chunks and indexes.
import { DocumentStatusCountRowSchema, DocumentStatuses, DocumentStatusRowSchema, IndexHealthRowSchema } from './health';
import type { DocumentStatus, DocumentStatusCounts, IndexHealth } from './health';
import { LedgerBase } from './LedgerBase';
import { DigestRowSchema, DigestRunRowSchema, ReportSettlementRowSchema } from './rows';
import type { DigestRow, DigestRunRow, ReportDisposition, ReportSettlement } from './rows';

/** Index health, document status, report dispositions and digests. */
export class ReportLedger extends LedgerBase {
  // --- index health and document status ---

  /**
   * How healthy a logical index is: coverage, backlog and the oldest waiting change now; lag
   * percentiles, drift, rejections and the chart's series over `since`..`until`.
   */
  async indexHealth(logicalName: string, window: { readonly since: Date; readonly until: Date }): Promise<IndexHealth> {
    const row = await this.one('index_health', IndexHealthRowSchema, (sql) => sql`
      select vector_sync.index_health(${logicalName}, ${window.since}::timestamptz, ${window.until}::timestamptz) as health`);
    return row.health;
  }

  /** Where a document stands: one row per active generation (one with a single logical index), none for an unknown id. */
  documentStatus(documentId: string): Promise<DocumentStatus[]> {
    return this.many('document_status', DocumentStatusRowSchema, (sql) => sql`
      select * from vector_sync.document_status where document_id = ${documentId} order by logical_name`);
  }

  /** How many documents are in each status (every status present, 0 when none). */
  async documentStatusCounts(): Promise<DocumentStatusCounts> {
    const rows = await this.many('document_status_counts', DocumentStatusCountRowSchema, (sql) => sql`
      select status, count(*) as n from vector_sync.document_status group by status`);
    const counts = Object.fromEntries(DocumentStatuses.map((status) => [status, 0])) as Record<DocumentStatus['status'], number>;
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  // --- report dispositions and digests ---

  /**
   * Records once what happened to a finished run's report: sent (with its message id), held for
   * a digest (joins the pending digest of its window of `digestMinutes`) or archived only. A later
   * call settles nothing and answers the first disposition.
   */
  settleReport(input: { runId: string; disposition: ReportDisposition; archiveKey: string; messageId?: string; digestMinutes?: number }): Promise<ReportSettlement> {
    return this.one('settle_run_report', ReportSettlementRowSchema, (sql) => sql`
      select settled, disposition, window_start from vector_sync.settle_run_report(${input.runId}, ${input.disposition}, ${input.archiveKey},
        ${input.messageId ?? null}, ${input.digestMinutes ?? null}::int)`);
  }

  /** The runs held for one digest, in the order they finished (at most `limit`). */
  digestRuns(logicalName: string, windowStart: Date, limit: number): Promise<DigestRunRow[]> {
    return this.many('digest_runs', DigestRunRowSchema, (sql) => sql`
      select r.run_id, r.op, r.index_name, r.state, r.chunk_count, r.ids_total, r.upserted, r.deleted, r.skipped, r.rejected, r.failed,
        r.accepted_at, coalesce(r.completed_at, r.failed_at) as finished_at, r.report_archive_key
      from vector_sync.runs as r join vector_sync.indexes as i on i.index_name = r.index_name
      where i.logical_name = ${logicalName} and r.digest_window_start = ${windowStart} and r.report_disposition = 'digest'
      order by finished_at, r.run_id
      limit ${limit}`);
  }

  /** One digest, if a run was ever held for it. */
  digest(logicalName: string, windowStart: Date): Promise<DigestRow | undefined> {
    return this.maybe('digest', DigestRowSchema, (sql) => sql`select * from vector_sync.digests where logical_name = ${logicalName} and window_start = ${windowStart}`);
  }

  /** Digests whose window has ended and that are not sent (or whose sender died `sendingGraceSeconds` ago), oldest first. */
  dueDigests(sendingGraceSeconds: number, limit: number): Promise<DigestRow[]> {
    return this.many('due_digests', DigestRowSchema, (sql) => sql`select * from vector_sync.due_digests(make_interval(secs => ${sendingGraceSeconds}), ${limit})`);
  }

  /** Hands a due digest to this caller and counts the attempt; undefined when another sender has it or it is not due. */
  claimDigest(logicalName: string, windowStart: Date, sendingGraceSeconds: number, maxAttempts: number): Promise<DigestRow | undefined> {
    return this.maybe('claim_digest', DigestRowSchema, (sql) => sql`
      select * from vector_sync.claim_digest(${logicalName}, ${windowStart}, make_interval(secs => ${sendingGraceSeconds}), ${maxAttempts}::int)`);
  }

  markDigestSent(logicalName: string, windowStart: Date, messageId: string, archiveKey: string): Promise<DigestRow> {
    return this.one('mark_digest_sent', DigestRowSchema, (sql) => sql`select * from vector_sync.mark_digest_sent(${logicalName}, ${windowStart}, ${messageId}, ${archiveKey})`);
  }

  /** A failed send: pending again for the next tick, or parked with the error after `maxAttempts` (at once when `permanent`). */
  failDigest(input: { logicalName: string; windowStart: Date; error: string; maxAttempts: number; permanent: boolean }): Promise<DigestRow> {
    return this.one('fail_digest', DigestRowSchema, (sql) => sql`
      select * from vector_sync.fail_digest(${input.logicalName}, ${input.windowStart}, ${input.error.slice(0, 2_000)}, ${input.maxAttempts}::int, ${input.permanent})`);
  }

  /** A send by hand went out: the digest counts as sent and the send is counted. */
  recordDigestResend(logicalName: string, windowStart: Date, messageId: string, archiveKey: string): Promise<DigestRow> {
    return this.one('record_digest_resend', DigestRowSchema, (sql) => sql`select * from vector_sync.record_digest_resend(${logicalName}, ${windowStart}, ${messageId}, ${archiveKey})`);
  }
}
