import * as z from 'npm:zod@4.6.7';
import { ConfigError } from './errors.ts';

/**
 * Parses the environment with a schema whose keys are the variable names; a failure names every
 * bad variable (never its value, which may be a secret).
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** A whole number from a variable, with bounds and a default. */
export function intVar(defaultValue: number, min: number, max: number): z.ZodDefault<z.ZodCoercedNumber<unknown>> {
  return z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(defaultValue);
}

/** `true/false/1/0/yes/no` from a variable. */
export const boolVar = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }).transform((value) => ['true', '1', 'yes'].includes(value));
