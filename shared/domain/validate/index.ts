export { openRunForEvent } from './openRunForEvent';
export type { IndexDefaults, RunSource } from './openRunForEvent';
export { generationName } from './generationName';
export { NoActiveIndexError } from './errors';
export { acceptRun } from './acceptRun';
export type { AcceptRunDeps, AcceptRunResult } from './acceptRun';
export { WrongBusError } from './WrongBusError';
