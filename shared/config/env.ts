import * as z from 'zod';

/** A required, non-empty environment variable; `what` explains it in the error. */
export function required(what: string) {
  return z.string({ message: `is not set (${what})` }).trim().min(1, `is empty (${what})`);
}

/** An optional variable: unset and empty both mean "use the default". */
export function optional(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? defaultValue : value.trim()));
}

/** An integer variable with bounds and a default. */
export function integer(defaultValue: number, min: number, max: number) {
  return optional(String(defaultValue))
    .refine((value) => /^-?\d+$/u.test(value), 'must be a whole number')
    .transform(Number)
    .pipe(
    z
      .number()
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** A comma-separated list; each item checked with `item`. */
export function list<T extends z.ZodType<unknown, string>>(item: T, what: string) {
  return required(what)
    .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .pipe(z.array(item).min(1, `lists nothing (${what})`));
}

/** An endpoint host, optionally with a port, optionally with an http(s) scheme. */
export function endpoint(what: string) {
  return required(what).regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/u, `must be a host[:port] (${what})`);
}

/** A Postgres connection URL. */
export function postgresUrl(what: string) {
  return required(what).regex(/^postgres(ql)?:\/\//u, `must be a postgres:// URL (${what})`);
}

/** Log levels for the JSON logger. */
export const LogLevelSchema = optional('info').pipe(
  z.enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' }),
);
