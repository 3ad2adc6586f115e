import { escapeHtml } from '../../shared/report';
import { pageScript } from './pageScript';
import { pageStyle } from './pageStyle';
import { renderPanel } from './renderPanel';
import type { DashboardState, PanelView } from './types';

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
</header>
<main id="panels">
${panels.map(renderPanel).join('\n')}
</main>
<script>${pageScript}</script>
</body>
</html>
`;
}
