export { openRunForEvent } from './openRunForEvent';
export type { IndexDefaults, RunSource } from './openRunForEvent';
export { generationName } from './generationName';
export { NoActiveIndexError } from './errors';
