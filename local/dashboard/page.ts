import { createHash } from 'node:crypto';
import { escapeHtml } from '../../shared/report';
import { renderPanel } from './panels';
import type { DashboardState, PanelView } from './types';

/** The page's inline CSS (no external assets). */
const pageStyle = `
:root { color-scheme: light dark; --line: #8884; --accent: #2a6fdb; --bad: #c62828; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 8px; }
main { padding: 12px 20px; display: grid; gap: 20px; }
.panel { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td:last-child { white-space: normal; }
th { font-weight: 600; }
tr.selected { background: #2a6fdb22; }
a { color: var(--accent); }
.error { color: var(--bad); border: 1px solid var(--bad); padding: 8px; border-radius: 4px; }
.empty { color: #888; margin: 6px 0; }
#status.ok { color: var(--ok); }
#lookup input { font: inherit; }
.fragment table { width: auto; }
.fragment td, .fragment th { border-bottom: 0; white-space: normal; }
#status.bad { color: var(--bad); }
`;

/**
 * The page's inline script: polls `/api/state` (keeping `?run=` and `?document=`) and redraws every
 * panel with the same structure renderPanel (panels.ts) writes, using textContent only: nothing
 * from the data becomes HTML, except a panel's `html`, which the server's report renderer wrote and
 * escaped (the health section, the same HTML as the e-mail). The CSP allows no other script and
 * no inline handler, so even that fragment could not run code. It marks `#updated-at` with the
 * time of the state it drew.
 */
const pageScript = `
(() => {
  'use strict';
  const pollMs = Number(document.body.dataset.pollMs) || 2000;
  const asked = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const name of ['run', 'document']) if (asked.get(name)) query.set(name, asked.get(name));
  const url = '/api/state' + (query.toString() ? '?' + query.toString() : '');
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
    if (typeof panel.html === 'string') {
      const box = el('div', { class: 'fragment', id: panel.id });
      box.innerHTML = panel.html;
      section.append(box);
      if (panel.html === '') section.append(el('p', { class: 'empty' }, panel.empty));
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

/**
 * The whole dashboard as one self-contained HTML page: every panel rendered on the server (so it
 * reads without JavaScript), inline CSS, and the inline script that keeps it fresh.
 */
export function renderPage(state: DashboardState, panels: readonly PanelView[], pollIntervalMs: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>oss-vector-sync · local dashboard</title>
<style>${pageStyle}</style>
</head>
<body data-poll-ms="${escapeHtml(String(pollIntervalMs))}">
<header>
<h1>oss-vector-sync · local dashboard</h1>
<span>rendered <time id="rendered-at">${escapeHtml(state.generatedAt)}</time></span>
<span>updated <time id="updated-at" data-source="server">not yet</time></span>
<span id="status">static</span>
<form id="lookup" method="get" action="/"><label>Document <input name="document" value="${escapeHtml(state.documentId ?? '')}" maxlength="1024" size="38" placeholder="document id"></label> <button type="submit">Look up</button></form>
</header>
<main id="panels">
${panels.map(renderPanel).join('\n')}
</main>
<script>${pageScript}</script>
</body>
</html>
`;
}
