import { parseArgs } from 'node:util';
import type * as z from 'zod';
import { UsageError } from './errors';

/** Flags a command accepts: every one takes a value, except the booleans named here. */
export interface FlagSpec {
  readonly strings: readonly string[];
  readonly booleans?: readonly string[];
}

/**
 * Parses `--flag value` arguments strictly (unknown flags and stray positionals are usage errors)
 * and checks them with a zod schema keyed by the flag names in camelCase.
 */
export function parseFlags<S extends z.ZodType>(command: string, args: readonly string[], spec: FlagSpec, schema: S): z.output<S> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of spec.strings) options[name] = { type: 'string' };
  for (const name of spec.booleans ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const camel = Object.fromEntries(Object.entries(values).map(([key, value]) => [key.replace(/-([a-z])/gu, (_, c: string) => c.toUpperCase()), value]));
  const parsed = schema.safeParse(camel);
  if (!parsed.success) {
    const text = parsed.error.issues.map((issue) => `--${String(issue.path[0] ?? '?').replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`).join('; ');
    throw new UsageError(`${command}: ${text}`, { cause: parsed.error });
  }
  return parsed.data;
}
