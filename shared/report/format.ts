// How reports print values, and the HTML building blocks every mail client renders: tables and
// inline styles only. Shared by the run report (render.ts) and the health section (health.ts).

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/gu, (char) => `&#${char.charCodeAt(0)};`);
}

/** 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Milliseconds as "850 ms", "12.4 s", "3 min 05 s" or "2 h 05 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Bytes as "512 B", "3.2 KB", "1.5 MB", "2.1 GB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 0.98765 -> "98.8 %". */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

// Short, because every cell of the HTML goes through it.
const e = escapeHtml;

export const CELL = 'padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:left;font-size:13px';
const HEAD = `${CELL};background:#f3f4f6;font-weight:600`;
const NUM = `${CELL};text-align:right;font-variant-numeric:tabular-nums`;

/** A titled section; `body` is HTML already escaped. */
export function section(title: string, body: string): string {
  return `<h2 style="font-size:15px;margin:20px 0 8px">${e(title)}</h2>${body}`;
}

/** A paragraph of text (escaped here). */
export function paragraph(text: string): string {
  return `<p style="font-size:13px;margin:6px 0">${e(text)}</p>`;
}

/** A table: headers escaped here, cells are HTML already escaped; `numeric` columns align right. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: ReadonlySet<number> = new Set()): string {
  const head = headers.map((header, i) => `<th style="${numeric.has(i) ? `${HEAD};text-align:right` : HEAD}">${e(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td style="${numeric.has(i) ? NUM : CELL}">${cell}</td>`).join('')}</tr>`).join('');
  return `<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">${`<tr>${head}</tr>`}${body}</table>`;
}
