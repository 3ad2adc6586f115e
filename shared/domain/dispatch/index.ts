export { chunkCommandParameters } from './chunkCommandParameters';
export type { ChunkCommandInput } from './chunkCommandParameters';
export { ChunkCommandParameters } from './constants';
export type { ChunkCommandParameterName } from './constants';
export { InvalidCommandParameterError } from './errors';
