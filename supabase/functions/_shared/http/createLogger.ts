import type { LogFields, Logger } from '../types.ts';

/** A JSON-lines logger: one object per line with time, level, function, request id and fields. */
export function createLogger(fn: string, requestId: string, write: (line: string) => void = console.log): Logger {
  const emit = (level: string, event: string, fields: LogFields = {}): void => {
    write(JSON.stringify({ time: new Date().toISOString(), level, fn, requestId, event, ...fields }));
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}
