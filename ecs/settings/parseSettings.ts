import { SettingsFileError } from './errors';

const LINE = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/u;

/** Removes one pair of matching surrounding quotes; the value is taken literally otherwise. */
function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) return value.slice(1, -1);
  return value;
}

/**
 * Reads `KEY=value` lines (blank lines and `#` comments allowed, optional `export` and quotes) into
 * a record, with no expansion or command substitution. A bad line is reported by number only, so
 * a secret on it never reaches a log.
 */
export function parseSettings(text: string, source: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [i, line] of text.split(/\r?\n/u).entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = LINE.exec(trimmed);
    if (!match) throw new SettingsFileError(`${source} line ${i + 1} is not KEY=value`, { details: { source, line: i + 1 } });
    settings[match[1] ?? ''] = unquote(match[2] ?? '');
  }
  return settings;
}
