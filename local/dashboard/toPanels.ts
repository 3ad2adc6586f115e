import { chunksPanel } from './chunksPanel';
import { emailsPanel } from './emailsPanel';
import { extraPanel } from './extraPanel';
import { indexesPanel } from './indexesPanel';
import { queuePanels } from './queuePanels';
import { runsPanel } from './runsPanel';
import type { DashboardState, PanelView } from './types';

/** Every panel of the page, in display order. */
export function toPanels(state: DashboardState): PanelView[] {
  return [runsPanel(state), chunksPanel(state), indexesPanel(state), ...queuePanels(state), emailsPanel(state), ...extraPanel(state)];
}
