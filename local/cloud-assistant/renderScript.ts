import { EmulatorLimits } from './constants';
import { CloudAssistantApiError } from './errors';

/** `{{ name }}`: spaces inside the braces are ignored. */
const PLACEHOLDER = /\{\{\s*([a-z0-9_-]+|acs::[a-z]+)\s*\}\}/giu;

/** Built-in values for one instance's run, keyed by lower-case name (`acs::instanceid`). */
export type BuiltIns = Readonly<Record<string, string>>;

/** The custom placeholder names in a script, lower-cased. */
export function placeholdersOf(content: string): Set<string> {
  const names = new Set<string>();
  for (const match of content.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!name.startsWith('acs::')) names.add(name);
  }
  return names;
}

/**
 * Checks parameters against the script's placeholders: every placeholder needs a value
 * (`Parameter.MissingValue`), every value a placeholder (`Parameter.NotMatched`), at most 20.
 */
export function checkPlaceholders(content: string, parameters: Readonly<Record<string, string>>): void {
  const placeholders = placeholdersOf(content);
  if (placeholders.size > EmulatorLimits.maxPlaceholders) {
    throw new CloudAssistantApiError(403, 'ParameterCount.ExceedLimit', `the script has ${placeholders.size} parameters; the limit is ${EmulatorLimits.maxPlaceholders}`);
  }
  const given = new Set(Object.keys(parameters).map((key) => key.toLowerCase()));
  const extra = [...given].filter((key) => !placeholders.has(key));
  if (extra.length > 0) throw new CloudAssistantApiError(403, 'Parameter.NotMatched', `parameters not used by the script: ${extra.join(', ')}`);
  const missing = [...placeholders].filter((name) => !given.has(name));
  if (missing.length > 0) throw new CloudAssistantApiError(400, 'Parameter.MissingValue', `no value for the parameters: ${missing.join(', ')}`);
}

/**
 * Replaces each placeholder with its value as plain text, as Cloud Assistant does: nothing is
 * quoted or evaluated, so a value like `$(reboot)` reaches the shell as written and the script
 * must quote it. Names match regardless of case; an unknown built-in is left as written.
 */
export function renderScript(content: string, parameters: Readonly<Record<string, string>>, builtIns: BuiltIns): string {
  const values = new Map<string, string>(Object.entries(parameters).map(([key, value]) => [key.toLowerCase(), value]));
  return content.replace(PLACEHOLDER, (whole, name: string) => {
    const key = name.toLowerCase();
    return values.get(key) ?? builtIns[key] ?? whole;
  });
}
