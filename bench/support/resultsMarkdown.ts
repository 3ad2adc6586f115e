// Renders any benchmark's JSON line as Markdown without knowing the benchmark: a goal table from
// `goals` (entries with a boolean `met`, as bench/support/e2eFigures.ts's GoalResult), and every
// other field as figures. Nested objects are flattened to dotted names; a field whose entries are
// all objects (per size, per stage, per bundle) becomes its own table.

/** A JSON value as a benchmark prints it. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Fields the status line and the goal table show; not repeated as figures. */
const SHOWN_ELSEWHERE = new Set(['bench', 'pass', 'goals', 'error']);

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A table cell: numbers and text as printed, nothing as '-', pipes and line breaks made safe. */
function cell(value: Json | undefined): string {
  if (value === null || value === undefined) return '-';
  const text = Array.isArray(value) ? value.map((item) => (isObject(item) || Array.isArray(item) ? JSON.stringify(item) : String(item))).join(', ') : String(value);
  return text.replace(/\|/gu, '\\|').replace(/\r?\n/gu, ' ') || '-';
}

/** `{ a: { b: 1 }, c: [1, 2] }` → `[['a.b', 1], ['c', [1, 2]]]`; arrays of objects are flattened by position. */
export function flatten(value: Json, prefix = ''): [string, Json][] {
  if (isObject(value)) return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix === '' ? key : `${prefix}.${key}`));
  if (Array.isArray(value) && value.some((item) => isObject(item) || Array.isArray(item))) return value.flatMap((item, i) => flatten(item, `${prefix}.${i}`));
  return [[prefix, value]];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** The entries of a field whose values are all objects, keyed by their `name` (or key, or position). */
function groupEntries(value: Json): [string, Record<string, Json>][] | undefined {
  const entries: [string, Json][] = Array.isArray(value) ? value.map((item, i) => [isObject(item) && typeof item.name === 'string' ? item.name : String(i), item]) : isObject(value) ? Object.entries(value) : [];
  if (entries.length === 0 || !entries.every(([, item]) => isObject(item))) return undefined;
  return entries as [string, Record<string, Json>][];
}

/** A group as a table: one row per entry, or one row per figure when entries are fewer than figures. */
function groupTable(name: string, entries: [string, Record<string, Json>][]): string {
  const flat = entries.map(([key, item]) => [key, new Map(flatten(item).filter(([field]) => field !== 'name'))] as const);
  const fields = [...new Set(flat.flatMap(([, map]) => [...map.keys()]))];
  if (fields.length > entries.length) {
    return table([name, ...flat.map(([key]) => key)], fields.map((field) => [field, ...flat.map(([, map]) => cell(map.get(field)))]));
  }
  return table([name, ...fields], flat.map(([key, map]) => [key, ...fields.map((field) => cell(map.get(field)))]));
}

/** A goal entry from `goals`: anything with a boolean `met`. */
interface GoalRow {
  readonly goal: string;
  readonly target: string;
  readonly actual: string;
  readonly met: boolean;
  readonly by: string;
}

/** The goals a result states with a verdict (`met`); thresholds without one are left to the figures. */
export function goalRows(result: Record<string, Json>): GoalRow[] {
  const goals = result.goals;
  const entries: [string, Json][] = Array.isArray(goals) ? goals.map((goal, i) => [String(i + 1), goal]) : isObject(goals) ? Object.entries(goals) : [];
  return entries.flatMap(([key, goal]) => {
    if (!isObject(goal) || typeof goal.met !== 'boolean') return [];
    const unit = typeof goal.unit === 'string' ? ` ${goal.unit}` : '';
    return [{ goal: cell(goal.goal ?? key), target: cell(goal.target), actual: goal.actual === undefined ? '-' : `${cell(goal.actual)}${unit}`, met: goal.met, by: cell(goal.by) }];
  });
}

/** "met (+13.2 points)" or "**missed** (-5.8 points)". */
export function verdict(goal: GoalRow): string {
  const by = goal.by === '-' ? '' : ` (${goal.by})`;
  return goal.met ? `met${by}` : `**missed**${by}`;
}

/** True when `goals` states something: not absent, null, or an empty list or object. */
export function stated(goals: Json | undefined): boolean {
  if (goals === undefined || goals === null) return false;
  if (Array.isArray(goals)) return goals.length > 0;
  return !isObject(goals) || Object.keys(goals).length > 0;
}

/** One result's tables: its goals with verdicts, then its figures. */
export function renderResult(result: Record<string, Json>): string {
  const parts: string[] = [];
  const goals = goalRows(result);
  if (goals.length > 0) parts.push(table(['goal', 'target', 'actual', 'verdict'], goals.map((goal) => [goal.goal, goal.target, goal.actual, verdict(goal)])));
  else if (result.goals !== undefined && stated(result.goals)) {
    // Thresholds without per-goal verdicts: shown as the benchmark states them, judged by its `meetsGoal` or `pass`.
    const judged = typeof result.meetsGoal === 'boolean' ? result.meetsGoal : typeof result.pass === 'boolean' ? result.pass : undefined;
    parts.push(table(['goal', 'value'], [...flatten(result.goals, 'goals').map(([key, value]) => [key, cell(value)]), ['all met', judged === undefined ? '-' : judged ? 'yes' : '**no**']]));
  }
  const scalars: [string, Json][] = [];
  for (const [key, value] of Object.entries(result)) {
    if (SHOWN_ELSEWHERE.has(key)) continue;
    const group = groupEntries(value);
    if (group) parts.push(groupTable(key, group));
    else scalars.push(...flatten(value, key));
  }
  if (scalars.length > 0) parts.push(table(['figure', 'value'], scalars.map(([key, value]) => [key, cell(value)])));
  return parts.join('\n\n');
}
