import type * as z from 'zod';

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(event)' : out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function shortValue(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Turns zod issues into `path: message` lines that name the field (`data.changes[3].id: ...`);
 * for enum and union mismatches the offending value is shown (shortened).
 */
export function formatIssues(error: z.ZodError, input?: unknown): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    let message = issue.message.replace(/^Invalid input: /u, '');
    if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) message = 'is missing';
    if (issue.code === 'invalid_union' || issue.code === 'invalid_value') {
      const got = shortValue(valueAt(input, issue.path));
      if (got !== undefined) message += ` (got ${got})`;
    }
    return `${path}: ${message}`;
  });
}
