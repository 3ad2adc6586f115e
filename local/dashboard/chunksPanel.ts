import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { DashboardState, PanelView } from './types';

const COUNT_KEYS = ['upserted', 'deleted', 'skipped', 'rejected', 'failed'] as const;

function countOf(result: Readonly<Record<string, unknown>> | null, key: string): string {
  const value = result?.[key];
  return typeof value === 'number' ? formatCell.count(value) : formatCell.text(null);
}

/** The chunks of the selected run, in order. */
export function chunksPanel(state: DashboardState): PanelView {
  const head = {
    id: PanelIds.chunks,
    title: state.selectedRunId === null ? 'Chunks' : `Chunks of run ${state.selectedRunId}`,
    columns: ['Chunk', 'State', 'Attempts', 'Instance', 'Upserted', 'Deleted', 'Unchanged', 'Rejected', 'Failed', 'Dispatched', 'Finished', 'Error'],
    empty: state.selectedRunId === null ? 'No run selected.' : 'This run has no chunks yet.',
  };
  return buildPanel(head, state.chunks, (chunk) => ({
    data: { 'chunk-no': String(chunk.chunk_no), state: chunk.state },
    cells: [
      String(chunk.chunk_no),
      chunk.state,
      String(chunk.attempts),
      formatCell.text(chunk.instance_id),
      ...COUNT_KEYS.map((key) => countOf(chunk.result, key)),
      formatCell.time(chunk.dispatched_at),
      formatCell.time(chunk.finished_at),
      formatCell.text(chunk.error),
    ],
  }));
}
