import type { PanelResult, PanelView, RowView } from './types';

/** Turns a panel's rows (or its error) into a PanelView. */
export function buildPanel<T>(head: { readonly id: string; readonly title: string; readonly columns: readonly string[]; readonly empty: string }, result: PanelResult<T> | null, toRow: (row: T) => RowView): PanelView {
  if (result === null) return { ...head, rows: [], error: null };
  if (!result.ok) return { ...head, rows: [], error: result.error };
  return { ...head, rows: result.rows.map(toRow), error: null };
}
