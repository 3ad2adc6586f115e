import type { EventPattern } from '../../shared/routing';

const OPERATORS = new Set(['prefix', 'suffix', 'contains', 'anything-but', 'numeric', 'cidr', 'exists']);
const COMPARISONS = new Set(['=', '<', '<=', '>', '>=']);
/** The Limits page allows at most five expressions per field. */
const MAX_CONDITIONS = 5;

function checkOperator(path: string, condition: Record<string, unknown>, problems: string[]): void {
  const keys = Object.keys(condition);
  const op = keys[0] ?? '';
  if (keys.length !== 1 || !OPERATORS.has(op)) {
    problems.push(`${path}: unknown condition ${JSON.stringify(condition)}`);
    return;
  }
  const value = condition[op];
  if (op === 'exists' && typeof value !== 'boolean') problems.push(`${path}: exists takes true or false`);
  if (['prefix', 'suffix', 'contains', 'cidr'].includes(op) && typeof value !== 'string') problems.push(`${path}: ${op} takes a string`);
  if (op === 'cidr' && typeof value === 'string' && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/u.test(value)) problems.push(`${path}: cidr must look like a.b.c.d/n`);
  if (op === 'numeric') {
    const pairs = Array.isArray(value) ? value : [];
    const ok = pairs.length > 0 && pairs.length % 2 === 0 && pairs.every((item, i) => (i % 2 === 0 ? COMPARISONS.has(String(item)) : typeof item === 'number'));
    if (!ok) problems.push(`${path}: numeric takes [op, number, ...] with op one of = < <= > >=`);
  }
}

/** Lists what is wrong with a pattern (empty when it is valid), with the path of each problem. */
export function checkPattern(pattern: unknown, path = '$'): string[] {
  const problems: string[] = [];
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) return [`${path}: a pattern is a JSON object`];
  for (const [key, expected] of Object.entries(pattern as EventPattern)) {
    const at = `${path}.${key}`;
    if (!Array.isArray(expected)) {
      problems.push(...checkPattern(expected, at));
      continue;
    }
    if (expected.length === 0) problems.push(`${at}: an empty list matches nothing`);
    if (expected.length > MAX_CONDITIONS) problems.push(`${at}: more than ${MAX_CONDITIONS} expressions`);
    for (const condition of expected as unknown[]) {
      if (typeof condition === 'object' && condition !== null) checkOperator(at, condition as Record<string, unknown>, problems);
    }
  }
  return problems;
}
