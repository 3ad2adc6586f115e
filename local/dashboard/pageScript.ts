import { createHash } from 'node:crypto';

/**
 * The page's inline script: polls `/api/state` (keeping `?run=`) and redraws every panel with the
 * same structure renderPanel.ts writes, using textContent only (nothing from the data becomes HTML).
 * It marks `#updated-at` with the time of the state it drew.
 */
export const pageScript = `
(() => {
  'use strict';
  const pollMs = Number(document.body.dataset.pollMs) || 2000;
  const run = new URLSearchParams(location.search).get('run');
  const url = '/api/state' + (run ? '?run=' + encodeURIComponent(run) : '');
  const panels = document.getElementById('panels');
  const status = document.getElementById('status');
  const updated = document.getElementById('updated-at');
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const cell = (value) => {
    const td = el('td');
    if (value !== null && typeof value === 'object') td.append(el('a', { href: value.href }, value.text));
    else td.textContent = String(value);
    return td;
  };
  const drawPanel = (panel) => {
    const section = el('section', { class: 'panel', id: 'panel-' + panel.id, 'data-panel': panel.id });
    section.append(el('h2', {}, panel.title));
    if (panel.error !== null) {
      section.append(el('div', { class: 'error', role: 'alert', 'data-panel-error': panel.id }, panel.error));
      return section;
    }
    const table = el('table', { id: panel.id });
    const head = el('tr');
    for (const column of panel.columns) head.append(el('th', {}, column));
    table.append(el('thead'));
    table.tHead.append(head);
    const body = el('tbody');
    for (const row of panel.rows) {
      const tr = el('tr', row.selected ? { class: 'selected' } : {});
      for (const [key, value] of Object.entries(row.data)) tr.setAttribute('data-' + key, value);
      for (const value of row.cells) tr.append(cell(value));
      body.append(tr);
    }
    table.append(body);
    section.append(table);
    if (panel.rows.length === 0) section.append(el('p', { class: 'empty' }, panel.empty));
    return section;
  };
  const refresh = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const state = await response.json();
      panels.replaceChildren(...state.panels.map(drawPanel));
      updated.textContent = state.generatedAt;
      updated.setAttribute('data-source', 'live');
      status.textContent = 'live';
      status.className = 'ok';
    } catch (error) {
      status.textContent = 'update failed: ' + (error instanceof Error ? error.message : String(error));
      status.className = 'bad';
    } finally {
      setTimeout(refresh, pollMs);
    }
  };
  void refresh();
})();
`;

/** The CSP source that allows exactly this script. */
export const pageScriptHash = `'sha256-${createHash('sha256').update(pageScript).digest('base64')}'`;
