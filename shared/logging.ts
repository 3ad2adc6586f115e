// JSON-lines logging: one object per line with time, level, message and bound fields; values under
// secret-looking keys and passwords inside URLs are redacted before a line is written.
const SECRET_KEY = /secret|password|passwd|token|api[-_]?key|authorization|credential|signature/iu;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+@/giu;

/** Replaces values under secret-looking keys and passwords inside URLs, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(URL_PASSWORD, '$1***@');
  if (value === null || typeof value !== 'object') return value;
  // Past the limit nothing is inspected, so nothing may be shown: returning the raw object leaked
  // deep secrets and handed cyclic objects to JSON.stringify, which throws.
  if (depth > 8) return '[Truncated]';
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  // A Date or URL has no enumerable fields and came out as {}; serialise it as JSON.stringify would.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact((value as { toJSON(): unknown }).toJSON(), depth + 1);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '' ? '***' : redact(item, depth + 1);
  }
  return out;
}

/** Log levels in increasing severity. */
export const LogLevels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LogLevels;

/** Where finished lines go; one call per line, without the newline. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly sink?: LogSink;
  readonly now?: () => Date;
}

function stdoutSink(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A JSON-lines logger: one object per line with time, level, message and the bound fields. */
export class Logger {
  readonly level: LogLevel;
  private readonly fields: Readonly<Record<string, unknown>>;
  private readonly sink: LogSink;
  private readonly now: () => Date;

  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? 'info';
    this.fields = options.fields ?? {};
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now ?? (() => new Date());
  }

  /** A logger with more bound fields (e.g. the run id once it is known). */
  child(fields: Readonly<Record<string, unknown>>): Logger {
    return new Logger({ level: this.level, fields: { ...this.fields, ...fields }, sink: this.sink, now: this.now });
  }

  /** The bound fields, e.g. to check which request a logger belongs to. */
  get bindings(): Readonly<Record<string, unknown>> {
    return this.fields;
  }

  debug(message: string, extra?: Readonly<Record<string, unknown>>): void {
    this.write('debug', message, extra);
  }

  info(message: string, extra?: Readonly<Record<string, unknown>>): void {
    this.write('info', message, extra);
  }

  warn(message: string, extra?: Readonly<Record<string, unknown>>): void {
    this.write('warn', message, extra);
  }

  error(message: string, extra?: Readonly<Record<string, unknown>>): void {
    this.write('error', message, extra);
  }

  private write(level: LogLevel, message: string, extra?: Readonly<Record<string, unknown>>): void {
    if (LogLevels[level] < LogLevels[this.level]) return;
    const record = { time: this.now().toISOString(), level, message, ...this.fields, ...extra };
    this.sink(JSON.stringify(redact(record)));
  }
}
