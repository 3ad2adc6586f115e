import * as z from 'zod';
import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { RunHistoryRow } from './row-schemas';
import type { CellView, DashboardState, PanelView } from './types';

const MessageIdSchema = z.uuid();
const FINAL_STATES = new Set(['completed', 'failed']);

function reportCell(run: RunHistoryRow): CellView {
  if (run.report_sent) {
    const id = run.report_message_id ?? '';
    return MessageIdSchema.safeParse(id).success ? { text: 'sent', href: `/emails/${id}` } : 'sent';
  }
  return FINAL_STATES.has(run.state) ? 'due' : formatCell.text(null);
}

/** The latest runs, newest first; the selected run's row is marked. */
export function runsPanel(state: DashboardState): PanelView {
  const head = {
    id: PanelIds.runs,
    title: 'Runs',
    columns: ['Run', 'Op', 'Index', 'State', 'Upserted', 'Deleted', 'Unchanged', 'Rejected', 'Failed', 'Chunks', 'Started', 'Duration', 'Report'],
    empty: 'No runs yet.',
  };
  return buildPanel(head, state.runs, (run) => ({
    data: { 'run-id': run.run_id, state: run.state },
    selected: run.run_id === state.selectedRunId,
    cells: [
      { text: run.run_id.slice(0, 8), href: `/?run=${run.run_id}` },
      run.op,
      run.index_name,
      run.error === null ? run.state : `${run.state}: ${run.error}`,
      formatCell.count(run.upserted),
      formatCell.count(run.deleted),
      formatCell.count(run.skipped),
      formatCell.count(run.rejected),
      formatCell.count(run.failed),
      `${formatCell.count(run.chunks_succeeded + run.chunks_failed)}/${formatCell.count(run.chunk_count)}`,
      formatCell.time(run.accepted_at),
      formatCell.seconds(run.duration_seconds),
      reportCell(run),
    ],
  }));
}
