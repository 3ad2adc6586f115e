import type * as z from 'zod';
import { ConfigError } from './errors';

type Env = Readonly<Record<string, string | undefined>>;

/** Parses the environment with a component's schema; the error names every bad variable. */
export function loadConfig<TSchema extends z.ZodType>(
  component: string,
  schema: TSchema,
  env: Env = process.env,
): z.output<TSchema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
    message: issue.message,
  }));
  throw new ConfigError(component, problems);
}

/** A getter that parses the environment on first use and returns the same object afterwards. */
export function configGetter<TSchema extends z.ZodType>(
  component: string,
  schema: TSchema,
): (env?: Env) => z.output<TSchema> {
  let cached: z.output<TSchema> | undefined;
  return function getConfig(env: Env = process.env) {
    cached ??= loadConfig(component, schema, env);
    return cached;
  };
}
