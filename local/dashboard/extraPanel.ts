import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { DashboardState, PanelView } from './types';

/** The caller's extra values, or nothing when the caller gave none. */
export function extraPanel(state: DashboardState): PanelView[] {
  if (state.extra === null) return [];
  const head = { id: PanelIds.extra, title: 'More', columns: ['Name', 'Value'], empty: 'Nothing to show.' };
  return [buildPanel(head, state.extra, (entry) => ({ data: { name: entry.name }, cells: [entry.name, formatCell.value(entry.value)] }))];
}
