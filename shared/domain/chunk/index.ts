export { chunkRun } from './chunkRun';
export { planChunks } from './planChunks';
export type { ChunkSelector, ChunkSizes } from './planChunks';
