import type { EventPattern, PatternCondition } from '../../shared/routing';
import { matchCondition } from './matchCondition';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matchField(conditions: readonly PatternCondition[], value: unknown): boolean {
  return conditions.some((condition) => {
    // A list in the event matches when any of its elements does; presence tests look at the list.
    const existence = typeof condition === 'object' && condition !== null && 'exists' in condition;
    if (Array.isArray(value) && !existence) return value.some((item) => matchCondition(condition, item));
    return matchCondition(condition, value);
  });
}

/**
 * EventBridge pattern matching: every key of the pattern must hold (AND), any condition in a
 * key's array may hold (OR), and an object in the pattern matches the same-named object in the
 * event (e.g. fields under `data`). An empty pattern matches every event.
 */
export function matchPattern(pattern: EventPattern, event: unknown): boolean {
  const record = isRecord(event) ? event : {};
  for (const [key, expected] of Object.entries(pattern)) {
    const value = record[key];
    if (Array.isArray(expected)) {
      if (!matchField(expected as readonly PatternCondition[], value)) return false;
      continue;
    }
    if (!isRecord(value) || !matchPattern(expected as EventPattern, value)) return false;
  }
  return true;
}
