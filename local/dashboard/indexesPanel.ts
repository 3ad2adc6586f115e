import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { DashboardState, PanelView } from './types';

/** Registered indexes, the active ones first, with TotalVectors from `index_stats`. */
export function indexesPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.indexes, title: 'Indexes', columns: ['Index', 'Logical name', 'Bucket', 'Dimension', 'Metric', 'State', 'TotalVectors', 'Last synced'], empty: 'No indexes registered.' };
  return buildPanel(head, state.indexes, (row) => ({
    data: { 'index-name': row.index_name, state: row.state },
    cells: [row.index_name, row.logical_name, row.bucket, String(row.dimension), row.metric, row.state, formatCell.count(row.total_vectors), formatCell.time(row.last_synced_at)],
  }));
}
