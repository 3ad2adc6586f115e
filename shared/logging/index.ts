export { Logger, LogLevels } from './Logger';
export type { LogLevel, LogSink, LoggerOptions } from './Logger';
export { redact } from './redact';
