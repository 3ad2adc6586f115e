function escapeHtml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');
}

/** The HTML file of a message: its HTML part, or its text part in a `<pre>` when it has no HTML. */
export function renderHtml(html: string | null, text: string | null): string {
  if (html !== null) return html;
  return `<!doctype html><meta charset="utf-8"><pre>${escapeHtml(text ?? '')}</pre>\n`;
}
