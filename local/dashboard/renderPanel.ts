import { escapeHtml } from '../../shared/report';
import type { CellView, PanelView, RowView } from './types';

const DATA_KEY = /^[a-z][a-z0-9-]*$/u;

function renderCell(cell: CellView): string {
  if (typeof cell === 'string') return `<td>${escapeHtml(cell)}</td>`;
  return `<td><a href="${escapeHtml(cell.href)}">${escapeHtml(cell.text)}</a></td>`;
}

function renderRow(row: RowView): string {
  const data = Object.entries(row.data)
    .filter(([key]) => DATA_KEY.test(key))
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  return `<tr${row.selected === true ? ' class="selected"' : ''}${data}>${row.cells.map(renderCell).join('')}</tr>`;
}

/**
 * One panel as HTML: a section with its title and either an error box or a table whose id is the
 * panel id. The page script (pageScript.ts) builds the very same structure from `/api/state`.
 */
export function renderPanel(panel: PanelView): string {
  const id = escapeHtml(panel.id);
  const title = `<h2>${escapeHtml(panel.title)}</h2>`;
  if (panel.error !== null) {
    return `<section class="panel" id="panel-${id}" data-panel="${id}">${title}<div class="error" role="alert" data-panel-error="${id}">${escapeHtml(panel.error)}</div></section>`;
  }
  const head = `<thead><tr>${panel.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${panel.rows.map(renderRow).join('')}</tbody>`;
  const empty = panel.rows.length === 0 ? `<p class="empty">${escapeHtml(panel.empty)}</p>` : '';
  return `<section class="panel" id="panel-${id}" data-panel="${id}">${title}<table id="${id}">${head}${body}</table>${empty}</section>`;
}
