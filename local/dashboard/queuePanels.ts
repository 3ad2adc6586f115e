import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { DashboardState, PanelView } from './types';

/** Queue depths, dead-letter counts per queue and the latest dead letters. */
export function queuePanels(state: DashboardState): PanelView[] {
  const queues = buildPanel({ id: PanelIds.queues, title: 'Queue depths', columns: ['Queue', 'Messages', 'Visible', 'Oldest'], empty: 'No queues.' }, state.queues, (row) => ({
    data: { queue: row.queue },
    cells: [row.queue, formatCell.count(row.depth), formatCell.count(row.visible), formatCell.seconds(row.oldest_age_seconds)],
  }));
  const counts = buildPanel({ id: PanelIds.deadLetterCounts, title: 'Dead letters per queue', columns: ['Queue', 'Archived', 'Parked'], empty: 'No queues.' }, state.deadLetterCounts, (row) => ({
    data: { queue: row.queue },
    cells: [row.queue, formatCell.count(row.archived), formatCell.count(row.parked)],
  }));
  const latest = buildPanel({ id: PanelIds.deadLetters, title: 'Latest dead letters', columns: ['Failed at', 'Queue', 'Message', 'Document', 'Reads', 'Step', 'Error'], empty: 'No dead letters.' }, state.deadLetters, (row) => ({
    data: { 'dead-letter-id': String(row.id) },
    cells: [formatCell.time(row.failed_at), row.queue, String(row.msg_id), formatCell.text(row.document_id), String(row.read_ct), row.step, row.error],
  }));
  return [queues, counts, latest];
}
