export * from './components';
export { ConfigError } from './errors';
export { loadConfig, configGetter } from './loadConfig';
export { LogLevelSchema, integer, optional, required } from './env';
