// The dashboard's runs panel says what happened to each finished run's report (REPORT_POLICY).
import { describe, expect, it } from 'vitest';
import { toPanels } from '../../local/dashboard/panels';
import type { RunHistoryRow } from '../../local/dashboard/state';

describe('the dashboard runs panel', () => {
  const none = { ok: true as const, rows: [] };
  function reportCellOf(row: Partial<RunHistoryRow>): unknown {
    const run: RunHistoryRow = {
      run_id: '3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f', op: 'sync', index_name: 'documentsg1', logical_name: 'documents', state: 'completed',
      requested_by: 'supabase.edge', chunk_count: 1, chunks_succeeded: 1, chunks_failed: 0, ids_total: 1, upserted: 1, deleted: 0, skipped: 0,
      rejected: 0, failed: 0, error: null, accepted_at: new Date(), finished_at: new Date(), duration_seconds: 1,
      report_sent: false, report_message_id: null, report_disposition: null, ...row,
    };
    const runs = toPanels({ generatedAt: '', selectedRunId: null, runs: { ok: true, rows: [run] }, chunks: none, queues: none, deadLetterCounts: none, deadLetters: none, indexes: none, emails: none, health: none, statusCounts: none, documentId: null, document: null, extra: null }).find((panel) => panel.id === 'runs');
    return runs?.rows[0]?.cells.at(-1);
  }

  it.each([
    [{ report_disposition: 'digest' }, 'in digest'],
    [{ report_disposition: 'archived-only' }, 'archived'],
    [{ report_disposition: null }, 'due'],
  ] as const)('shows a finished run\'s report as %j -> %s', (row, cell) => {
    expect(reportCellOf(row)).toBe(cell);
  });
});
