/** The page's inline CSS (no external assets). */
export const pageStyle = `
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
#status.bad { color: var(--bad); }
`;
